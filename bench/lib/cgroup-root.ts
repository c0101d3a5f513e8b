/**
 * Where this process may make cgroups: the cgroup2 mount point (read from
 * /proc/self/mountinfo, never assumed: on hybrid hosts it is
 * /sys/fs/cgroup/unified) joined with our own cgroup (the `0::` line of
 * /proc/self/cgroup). Also names the layout for the report's host header.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The mount point of the cgroup2 filesystem, from mountinfo text; undefined without one. */
export function cgroup2MountFrom(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const fsType = line.slice(separator + 3).split(' ')[0];
    if (fsType === 'cgroup2') return line.split(' ')[4];
  }
  return undefined;
}

/** Our own cgroup v2 path ('/...'), from /proc/self/cgroup text. */
export function ownCgroupFrom(procSelfCgroup: string): string | undefined {
  const line = procSelfCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line?.slice(3);
}

/** True if a v1 hierarchy is mounted next to cgroup2 (hybrid layout). */
export function hasCgroupV1(mountinfo: string): boolean {
  return mountinfo.split('\n').some((line) => line.split(' - ')[1]?.startsWith('cgroup '));
}

export interface CgroupRoot {
  mount: string;
  /** Our own cgroup directory, under which the benchmark makes its own. */
  own: string;
  layout: string;
}

/** The cgroup v2 directory of this process, or undefined when cgroup v2 is not mounted. */
export function findCgroupRoot(): CgroupRoot | undefined {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  const mount = cgroup2MountFrom(mountinfo);
  const own = ownCgroupFrom(readFileSync('/proc/self/cgroup', 'utf8'));
  if (mount === undefined || own === undefined) return undefined;
  const layout = hasCgroupV1(mountinfo)
    ? `hybrid (cgroup v1 hierarchies + cgroup2 at ${mount})`
    : `unified (cgroup2 at ${mount})`;
  return { mount, own: join(mount, own), layout };
}
