/**
 * What this host's cgroup v2 offers a new group, and why not when it does
 * not, predicted without creating, moving or writing anything: the cgroup
 * half of hostContainment() (src/host/host-containment.ts), for `corral doctor`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../../errors.js';
import { LIMIT_CONTROLLERS } from './apply-limits.js';
import { listed, parseControllers } from './cgroup-fs.js';
import { locateHierarchy, procSelf, readOrEmpty, type CgroupLayout, type ProcSources } from './hierarchy.js';
import { originOf, scopeOrigin, type CgroupOrigin } from './cgroup-origin.js';
import { resolveParent } from './resolve-parent.js';
import { processScope } from './systemd/scope-keeper.js';
import { optedOutByEnv } from '../../options/systemd-opt-out.js';
import { scopeProspect, type ProspectHost } from './systemd/scope-prospect.js';
import { notWritableBy } from './writable-by.js';

export interface CgroupHost {
  /** Why cgroup v2 is not usable here (the future `fallbackReason`, saying what was tried), when it is not. */
  reason?: string;
  /**
   * Where the groups' cgroup comes from, when cgroup v2 is usable: the own
   * cgroup, the cgroupParent asked about, or a delegated systemd scope. With
   * kind 'systemd-scope' and `writable: false`, the own cgroup is not
   * writable but a systemd manager is reachable: 'auto' will move this
   * process into a new delegated scope (its unit is named when it is made).
   */
  cgroupOrigin?: CgroupOrigin;
  /** unified: cgroup2 only; hybrid: cgroup2 beside v1 hierarchies; legacy: v1 only; none: no cgroups mounted. */
  layout: CgroupLayout;
  /** Where cgroup2 is mounted, from /proc/self/mountinfo. */
  cgroup2Mount?: string;
  /** The cgroup2 mount is read-only (containers often mount it so). */
  cgroup2ReadOnly?: boolean;
  /** This process's cgroup v2 path, from the `0::` line of /proc/self/cgroup. */
  ownCgroup?: string;
  /** Its directory: where groups are made unless `cgroupParent` says otherwise. */
  ownCgroupPath?: string;
  /** The directory groups would be made in (ownCgroupPath or the cgroupParent asked about). */
  groupParent?: string;
  /** This process may make group directories there and move its children into them. */
  writable: boolean;
  /** cgroup.kill exists (Linux 5.14+): a hard kill is one write; else freeze and SIGKILL sweeps. */
  cgroupKill: boolean;
  /** cgroup.freeze exists (Linux 5.2+): suspend() freezes the tree. */
  cgroupFreeze: boolean;
  /** Where cgroupKill/cgroupFreeze were read from: a non-root cgroup directory, else the kernel version. */
  featuresSeenIn: string;
  controllers: {
    /** Controllers that reach the parent (its cgroup.controllers). */
    available: string[];
    /** Controllers the parent gives its children (its cgroup.subtree_control): new groups get these. */
    enabledForChildren: string[];
  };
  limits: {
    /** ProcessGroup.create({ limits }) will work as things are. */
    enforceable: boolean;
    /** prepareCgroupForLimits() would make them enforceable (it moves this process into a leaf). */
    enforceableAfterPrepare: boolean;
    /** What is missing, when they are not enforceable. */
    reason?: string;
  };
  /** The effective user id; a non-root user needs a delegated cgroup (systemd Delegate=yes). */
  uid: number;
}

export interface CgroupHostOptions {
  /** Ask about this parent directory instead of this process's own cgroup. */
  cgroupParent?: string;
  /** Whether 'auto' may ask systemd for a delegated scope, as in create() (default: not CORRAL_NO_SYSTEMD_SCOPE=1). */
  systemdScope?: boolean;
  /** Test seam: read the mount table and our cgroup from these files. */
  procSources?: ProcSources;
  /** Test seam: the host as the systemd scope prospect sees it. */
  prospectHost?: ProspectHost;
}

function words(path: string): string[] {
  return [...parseControllers(readOrEmpty(path))];
}

/** A non-root cgroup directory to look for cgroup.kill and cgroup.freeze in (the root cgroup has neither). */
function featureDirectory(parent: string): string | undefined {
  if (existsSync(join(parent, 'cgroup.type'))) return parent;
  try {
    const child = readdirSync(parent, { withFileTypes: true }).find((entry) => entry.isDirectory());
    return child ? join(parent, child.name) : undefined;
  } catch {
    return undefined;
  }
}

function kernelAtLeast(major: number, minor: number): boolean {
  const [a = 0, b = 0] = release()
    .split('.')
    .map((part) => parseInt(part, 10));
  return a > major || (a === major && b >= minor);
}

export function probeCgroupHost(options: CgroupHostOptions = {}): CgroupHost {
  const sources = options.procSources ?? procSelf;
  const hierarchy = locateHierarchy(sources);
  const uid = process.geteuid?.() ?? -1;
  const result: CgroupHost = {
    layout: hierarchy.layout,
    writable: false,
    cgroupKill: kernelAtLeast(5, 14),
    cgroupFreeze: kernelAtLeast(5, 2),
    featuresSeenIn: `kernel ${release()}`,
    controllers: { available: [], enabledForChildren: [] },
    limits: { enforceable: false, enforceableAfterPrepare: false },
    uid,
  };
  if (hierarchy.mount) {
    result.cgroup2Mount = hierarchy.mount.mountPoint;
    result.cgroup2ReadOnly = hierarchy.mount.readOnly;
  }
  if (hierarchy.ownCgroup !== undefined) result.ownCgroup = hierarchy.ownCgroup;
  if (hierarchy.ownCgroupPath !== undefined) result.ownCgroupPath = hierarchy.ownCgroupPath;

  let parent: string;
  try {
    parent = resolveParent(options.cgroupParent, sources);
  } catch (error) {
    result.reason = describeError(error);
    result.limits.reason = result.reason;
    return result;
  }
  result.groupParent = parent;
  const featureDir = featureDirectory(parent);
  if (featureDir) {
    result.cgroupKill = existsSync(join(featureDir, 'cgroup.kill'));
    result.cgroupFreeze = existsSync(join(featureDir, 'cgroup.freeze'));
    result.featuresSeenIn = featureDir;
  }
  result.controllers = {
    available: words(join(parent, 'cgroup.controllers')),
    enabledForChildren: words(join(parent, 'cgroup.subtree_control')),
  };
  const notWritable =
    hierarchy.mount?.readOnly && options.cgroupParent === undefined
      ? `the cgroup2 filesystem at ${hierarchy.mount.mountPoint} is mounted read-only`
      : notWritableBy(parent, uid);
  if (notWritable) {
    const scope =
      options.cgroupParent === undefined && !hierarchy.mount?.readOnly
        ? scopeProspect(options.systemdScope ?? !optedOutByEnv(), options.prospectHost)
        : undefined;
    if (scope && 'bus' in scope && hierarchy.mount) {
      // What create() will do: move into a new delegated scope, and make the groups there. The scope can be given the
      // controllers that reach where its manager puts scopes: below user@<uid>.service for a user's, the root for root's.
      const { manager, address } = scope.bus;
      const mount = hierarchy.mount.mountPoint;
      const managerDir =
        manager === 'system' ? mount : join(mount, 'user.slice', `user-${uid}.slice`, `user@${uid}.service`);
      result.cgroupOrigin = scopeOrigin({ manager, bus: address });
      result.limits = limitsVerdict({
        available: words(join(managerDir, 'cgroup.controllers')),
        enabledForChildren: [],
      });
      return result;
    }
    const noScope = scope && 'reason' in scope ? `; no delegated systemd scope either: ${scope.reason}` : '';
    result.reason = `cgroup v2 is not usable: ${notWritable}${noScope}`;
    result.limits.reason = result.reason;
    return result;
  }
  result.writable = true;
  result.cgroupOrigin = originOf(parent, options.cgroupParent, processScope.entered());
  result.limits = limitsVerdict(result.controllers);
  return result;
}

function limitsVerdict({ available, enabledForChildren }: CgroupHost['controllers']): CgroupHost['limits'] {
  const absent = LIMIT_CONTROLLERS.filter((c) => !available.includes(c));
  if (absent.length > 0) {
    return {
      enforceable: false,
      enforceableAfterPrepare: false,
      reason: `the ${absent.join(', ')} controller(s) do not reach this cgroup (available: ${listed(available)})`,
    };
  }
  const disabled = LIMIT_CONTROLLERS.filter((c) => !enabledForChildren.includes(c));
  if (disabled.length > 0) {
    return {
      enforceable: false,
      enforceableAfterPrepare: true,
      reason: `the ${disabled.join(', ')} controller(s) are not enabled for children; prepareCgroupForLimits() does`,
    };
  }
  return { enforceable: true, enforceableAfterPrepare: true };
}
