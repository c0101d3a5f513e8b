/**
 * The one thing to try when cgroup v2 is out of reach, or limits are: the
 * most likely fix for what hostContainment() found, as a command where
 * there is one.
 */
import type { ContainerHint } from '../../host/container.js';
import type { HostContainment } from '../../host/host-containment.js';

/** What the fallback holds, for advice given where it is in use (docs/fallback.md has the whole story). */
export const FALLBACK_GUARANTEE =
  'corral uses its fallback: process groups plus a child subreaper and a /proc tree walk, which catch setsid, ' +
  'setpgid and double-forked descendants; it cannot enforce limits, and a descendant that leaves its session, ' +
  'clears its environment and is orphaned before corral looks can escape';

export function adviceFor(host: HostContainment, container?: ContainerHint): string | undefined {
  if (container && !host.writable) {
    // Nothing inside a container can remount cgroup2 or reboot the host:
    // only whoever starts the container can grant cgroups.
    const grant =
      container.runtime === 'kubernetes'
        ? 'a privileged pod, or a runtime that gives the pod a writable cgroup namespace'
        : `${container.runtime} run --cgroupns=private on a cgroup v2 host (a writable, delegated cgroup), ` +
          'or --privileged';
    const owner = "For cgroup containment and limits, the container's owner has to grant a writable cgroup";
    return `inside a ${container.runtime} container (${container.evidence}), ${FALLBACK_GUARANTEE}. ${owner}: ${grant}`;
  }
  if (host.cgroup2Mount === undefined) {
    return host.layout === 'legacy'
      ? 'this host has only cgroup v1: boot with systemd.unified_cgroup_hierarchy=1 ' +
          '(or, as root, mount -t cgroup2 none /sys/fs/cgroup/unified); until then corral uses process groups'
      : 'no cgroup2 filesystem is mounted: as root, mount -t cgroup2 none /sys/fs/cgroup; ' +
          'until then corral uses process groups';
  }
  if (host.cgroup2ReadOnly && !host.writable) {
    return (
      'the cgroup2 mount is read-only (a container?): give the container a writable, delegated cgroup ' +
      '(e.g. podman/docker --cgroupns=private on a cgroup v2 host, or systemd-nspawn), or accept process groups'
    );
  }
  // A systemd manager will give a delegated scope: nothing to wrap.
  const viaScope = host.cgroupOrigin?.kind === 'systemd-scope';
  if (!host.writable && !viaScope) {
    return host.uid === 0
      ? `${host.groupParent ?? 'this cgroup'} is not writable: run corral in a cgroup it may write to, ` +
          'e.g. systemd-run --scope -p Delegate=yes corral run ...'
      : 'run corral in a delegated cgroup of your own: systemd-run --user --scope -p Delegate=yes corral run ...';
  }
  if (!host.limits.enforceable && !host.limits.enforceableAfterPrepare && !viaScope) {
    return host.layout === 'hybrid'
      ? 'containment works; limits (--memory, --pids, --cpus) do not, because this hybrid host keeps the memory, ' +
          'pids and cpu controllers in cgroup v1: boot with systemd.unified_cgroup_hierarchy=1 to use them'
      : 'containment works; for limits, run corral in a cgroup with the controllers delegated: ' +
          `systemd-run ${host.uid === 0 ? '' : '--user '}--scope -p Delegate=yes corral run ...`;
  }
  return undefined;
}
