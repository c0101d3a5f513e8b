/**
 * Where a new group's directory goes: `cgroupParent` when given (it must be
 * a directory of a cgroup2 filesystem), else this process's own cgroup.
 * Everything that makes cgroup v2 unreachable before even trying a mkdir is
 * reported here as ECGROUP_UNAVAILABLE, with the reason.
 */
import { cgroupUnavailable } from '../../errors.js';
import { isCgroup2Directory, locateHierarchy, procSelf, type ProcSources } from './hierarchy.js';

export function resolveParent(parent: string | undefined, sources: ProcSources = procSelf): string {
  if (parent !== undefined) {
    if (!isCgroup2Directory(parent)) {
      throw cgroupUnavailable(`cgroupParent ${parent} is not a directory of a mounted cgroup2 filesystem`, {
        path: parent,
      });
    }
    return parent;
  }
  const hierarchy = locateHierarchy(sources);
  if (!hierarchy.mount) {
    throw cgroupUnavailable(
      `no cgroup2 filesystem is mounted (no visible cgroup2 mount in ${sources.mountinfo}; ` +
        `cgroup layout: ${hierarchy.layout})`,
    );
  }
  if (hierarchy.ownCgroup === undefined) {
    throw cgroupUnavailable(`this process has no cgroup v2 path (no "0::" line in ${sources.selfCgroup})`);
  }
  if (hierarchy.ownCgroupPath === undefined || !isCgroup2Directory(hierarchy.ownCgroupPath)) {
    throw cgroupUnavailable(
      `this process's cgroup ${hierarchy.ownCgroup} is not reachable under the cgroup2 mount at ` +
        hierarchy.mount.mountPoint,
    );
  }
  return hierarchy.ownCgroupPath;
}
