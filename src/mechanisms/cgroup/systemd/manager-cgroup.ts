/**
 * Where a systemd manager's units live in cgroup v2, for predicting what a
 * scope it makes would get: a user's manager runs in
 * user.slice/user-<uid>.slice/user@<uid>.service and puts scopes below it,
 * the system manager puts them below the root. A scope can be given the
 * controllers that reach there (its cgroup.controllers).
 */
import { join } from 'node:path';
import type { ManagerKind } from './manager-bus.js';

export function managerCgroupDirectory(mountPoint: string, manager: ManagerKind, uid: number): string {
  return manager === 'system' ? mountPoint : join(mountPoint, 'user.slice', `user-${uid}.slice`, `user@${uid}.service`);
}
