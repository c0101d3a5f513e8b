/**
 * Where cgroup v2 lives on this host and where this process sits in it.
 * Never hard-coded: hybrid hosts mount cgroup2 at /sys/fs/cgroup/unified,
 * unified hosts at /sys/fs/cgroup, containers anywhere. The mount comes
 * from /proc/self/mountinfo, our own cgroup from the `0::` line of
 * /proc/self/cgroup. The file paths are injectable so that tests can play
 * a host without cgroup2 without unmounting anything.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupLayout = 'unified' | 'hybrid' | 'legacy' | 'none';

export interface ProcSources {
  mountinfo: string;
  selfCgroup: string;
}

export const procSelf: ProcSources = { mountinfo: '/proc/self/mountinfo', selfCgroup: '/proc/self/cgroup' };

export interface Cgroup2Mount {
  /** Where it is mounted, e.g. /sys/fs/cgroup/unified. */
  mountPoint: string;
  /** The cgroup path the mount shows at its top (usually '/'; a bind mount in a container may show a subtree). */
  root: string;
  readOnly: boolean;
}

export interface Hierarchy {
  layout: CgroupLayout;
  mount: Cgroup2Mount | undefined;
  /** This process's cgroup as /proc/self/cgroup names it ('/user.slice/...'). */
  ownCgroup: string | undefined;
  /** Its directory, when the cgroup2 mount reaches it. */
  ownCgroupPath: string | undefined;
}

/** The magic number statfs(2) reports for a cgroup2 filesystem (linux/magic.h). */
const CGROUP2_SUPER_MAGIC = 0x63677270;

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

interface MountLine {
  root: string;
  mountPoint: string;
  options: string[];
  fsType: string;
}

/** proc(5): "id parent major:minor root mountpoint options [optional...] - fstype source superoptions". */
export function parseMountinfo(text: string): MountLine[] {
  const mounts: MountLine[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6 || fields[3] === undefined || fields[4] === undefined) continue;
    mounts.push({
      root: unescapeMountField(fields[3]),
      mountPoint: unescapeMountField(fields[4]),
      options: (fields[5] ?? '').split(','),
      fsType: fields[separator + 1] ?? '',
    });
  }
  return mounts;
}

/**
 * The mounts a path lookup can still reach: a mount listed later at the same
 * place, or at a directory above it, covers it (a tmpfs mounted over the
 * cgroup2 mount hides it, as an unprivileged mount namespace can do).
 */
export function visibleMounts(mounts: MountLine[]): MountLine[] {
  // A later mount at "/" is not taken as covering everything: that is a chroot's view, not an overmount.
  return mounts.filter((mount, i) =>
    mounts
      .slice(i + 1)
      .every(
        (later) =>
          later.mountPoint !== mount.mountPoint &&
          (later.mountPoint === '/' || !mount.mountPoint.startsWith(`${later.mountPoint}/`)),
      ),
  );
}

/** The v2 path of this process, from the `0::` line; undefined on a v1-only host. */
export function parseOwnCgroup(text: string): string | undefined {
  return text
    .split('\n')
    .find((line) => line.startsWith('0::'))
    ?.slice(3);
}

/** The text of `path`, or '' when it cannot be read. */
export function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** This process's cgroup v2 path now, as `sources.selfCgroup` names it. */
export function readOwnCgroup(sources: ProcSources = procSelf): string | undefined {
  return parseOwnCgroup(readOrEmpty(sources.selfCgroup));
}

export function locateHierarchy(sources: ProcSources = procSelf): Hierarchy {
  const mounts = visibleMounts(parseMountinfo(readOrEmpty(sources.mountinfo)));
  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  const hasV1 = mounts.some((m) => m.fsType === 'cgroup');
  const layout: CgroupLayout = v2 ? (hasV1 ? 'hybrid' : 'unified') : hasV1 ? 'legacy' : 'none';
  const mount = v2 && { mountPoint: v2.mountPoint, root: v2.root, readOnly: v2.options.includes('ro') };
  const ownCgroup = readOwnCgroup(sources);
  return {
    layout,
    mount,
    ownCgroup,
    ownCgroupPath: mount && ownCgroup ? cgroupDirectory(mount, ownCgroup) : undefined,
  };
}

/**
 * The directory of cgroup `cgroup` under `mount`, or undefined when the mount
 * does not reach it (a container's bind mount of another subtree, or a path
 * outside our cgroup namespace, which the kernel shows as '/..').
 */
export function cgroupDirectory(mount: Cgroup2Mount, cgroup: string): string | undefined {
  if (cgroup.includes('/..')) return undefined;
  const root = mount.root === '/' ? '' : mount.root;
  if (cgroup !== root && !cgroup.startsWith(`${root}/`) && root !== '') return undefined;
  const dir = join(mount.mountPoint, cgroup.slice(root.length));
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

/** True when `path` is a directory of a cgroup2 filesystem (any mount of it). */
export function isCgroup2Directory(path: string): boolean {
  try {
    return statfsSync(path).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}
