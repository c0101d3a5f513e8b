/**
 * Where a group's cgroup came from: this process's own cgroup, the
 * cgroupParent the caller gave, or a delegated scope that corral asked
 * systemd for because its own cgroup was not writable. Shown by
 * ProcessGroup.cgroupOrigin, run()'s result, hostContainment() and doctor.
 */
import type { ManagerKind } from './systemd/manager-bus.js';
import type { SystemdScope } from './systemd/start-scope.js';
import { cgroupIsInUnit } from './systemd/scope-unit.js';

export interface CgroupOrigin {
  /**
   * 'own-cgroup': under this process's own cgroup; 'cgroup-parent': under the
   * `cgroupParent` given; 'systemd-scope': in a transient scope with
   * Delegate=yes that corral got from systemd (see docs/systemd.md).
   */
  kind: 'own-cgroup' | 'cgroup-parent' | 'systemd-scope';
  /** systemd-scope: the unit, e.g. corral-1234-0a1b2c3d.scope (absent from a prediction: it is named when made). */
  unit?: string;
  /** systemd-scope: whose manager, 'user' (the user's own) or 'system'. */
  manager?: ManagerKind;
  /** systemd-scope: the D-Bus address the manager was asked on. */
  bus?: string;
}

export function scopeOrigin(scope: Pick<SystemdScope, 'manager' | 'bus'> & { unit?: string }): CgroupOrigin {
  return {
    kind: 'systemd-scope',
    ...(scope.unit === undefined ? {} : { unit: scope.unit }),
    manager: scope.manager,
    bus: scope.bus,
  };
}

/** The origin of a group made in `dir`, given the scope this process is in (if corral made one). */
export function originOf(dir: string, cgroupParent: string | undefined, scope: SystemdScope | undefined): CgroupOrigin {
  if (scope && cgroupIsInUnit(dir, scope.unit)) return scopeOrigin(scope);
  return { kind: cgroupParent === undefined ? 'own-cgroup' : 'cgroup-parent' };
}
