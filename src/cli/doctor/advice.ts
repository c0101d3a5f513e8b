/**
 * The one thing to try when cgroup v2 is out of reach, or limits are: the
 * most likely fix for what hostContainment() found, as a command where
 * there is one.
 */
import type { HostContainment } from '../../host/host-containment.js';

export function adviceFor(host: HostContainment): string | undefined {
  if (host.cgroup2Mount === undefined) {
    return host.layout === 'legacy'
      ? 'this host has only cgroup v1: boot with systemd.unified_cgroup_hierarchy=1 (or, as root, mount -t cgroup2 none /sys/fs/cgroup/unified); until then corral uses process groups'
      : 'no cgroup2 filesystem is mounted: as root, mount -t cgroup2 none /sys/fs/cgroup; until then corral uses process groups';
  }
  if (host.cgroup2ReadOnly && !host.writable) {
    return 'the cgroup2 mount is read-only (a container?): give the container a writable, delegated cgroup (e.g. podman/docker --cgroupns=private on a cgroup v2 host, or systemd-nspawn), or accept process groups';
  }
  // A systemd manager will give a delegated scope: nothing to wrap.
  const viaScope = host.cgroupOrigin?.kind === 'systemd-scope';
  if (!host.writable && !viaScope) {
    return host.uid === 0
      ? `${host.groupParent ?? 'this cgroup'} is not writable: run corral in a cgroup it may write to, e.g. systemd-run --scope -p Delegate=yes corral run ...`
      : 'run corral in a delegated cgroup of your own: systemd-run --user --scope -p Delegate=yes corral run ...';
  }
  if (!host.limits.enforceable && !host.limits.enforceableAfterPrepare && !viaScope) {
    return host.layout === 'hybrid'
      ? 'containment works; limits (--memory, --pids, --cpus) do not, because this hybrid host keeps the memory, pids and cpu controllers in cgroup v1: boot with systemd.unified_cgroup_hierarchy=1 to use them'
      : `containment works; for limits, run corral in a cgroup with the controllers delegated: systemd-run ${host.uid === 0 ? '' : '--user '}--scope -p Delegate=yes corral run ...`;
  }
  return undefined;
}
