/**
 * The busctl command lines corral uses, built in one place so that they can be
 * checked without a bus. busctl ships with systemd, so it is there wherever a
 * systemd manager could answer; --address (not --user) because the user bus is
 * found by corral itself (see manager-bus.ts: busctl --user gives up when
 * $XDG_RUNTIME_DIR is unset, as under runuser or su without -l).
 */
import type { ManagerBus } from './manager-bus.js';

const SYSTEMD = 'org.freedesktop.systemd1';
const MANAGER_PATH = '/org/freedesktop/systemd1';
const MANAGER = 'org.freedesktop.systemd1.Manager';

export interface ScopeRequest {
  unit: string;
  /** The processes to move into it: corral itself. */
  pids: number[];
  description: string;
}

function common(bus: ManagerBus, timeoutMs: number): string[] {
  // busctl's --timeout takes seconds; a bound of its own, so a wedged manager cannot hold the call.
  return [
    `--address=${bus.address}`,
    '--json=short',
    '--no-pager',
    `--timeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}`,
  ];
}

/**
 * Manager.StartTransientUnit(name, mode, properties a(sv), aux a(sa(sv))),
 * as podman, crun and runc call it: the pids, Delegate=yes so the scope's
 * cgroup is handed to the caller, no default dependencies (a scope holding a
 * running process needs no ordering), and CollectMode=inactive-or-failed so
 * that a scope that failed does not linger as a loaded unit. Mode 'fail': an
 * existing unit of that name is an error, never replaced.
 */
export function startScopeArguments(bus: ManagerBus, request: ScopeRequest, timeoutMs: number): string[] {
  const properties: string[][] = [
    ['Description', 's', request.description],
    ['PIDs', 'au', String(request.pids.length), ...request.pids.map(String)],
    ['Delegate', 'b', 'true'],
    ['CollectMode', 's', 'inactive-or-failed'],
    ['DefaultDependencies', 'b', 'false'],
  ];
  return [
    ...common(bus, timeoutMs),
    'call',
    SYSTEMD,
    MANAGER_PATH,
    MANAGER,
    'StartTransientUnit',
    'ssa(sv)a(sa(sv))',
    request.unit,
    'fail',
    String(properties.length),
    ...properties.flat(),
    '0',
  ];
}

/** A job's State ('waiting', 'running'); the job object is gone once the job finished. */
export function jobStateArguments(bus: ManagerBus, jobPath: string, timeoutMs: number): string[] {
  return [...common(bus, timeoutMs), 'get-property', SYSTEMD, jobPath, `${SYSTEMD}.Job`, 'State'];
}

/** Job.Cancel(): when the deadline passes, so that the move cannot happen behind corral's back later. */
export function cancelJobArguments(bus: ManagerBus, jobPath: string, timeoutMs: number): string[] {
  return [...common(bus, timeoutMs), 'call', SYSTEMD, jobPath, `${SYSTEMD}.Job`, 'Cancel'];
}

/** The unit's ActiveState ('active', 'failed', 'inactive'...), to say why a finished job did not move us. */
export function unitStateArguments(bus: ManagerBus, unitPath: string, timeoutMs: number): string[] {
  return [...common(bus, timeoutMs), 'get-property', SYSTEMD, unitPath, `${SYSTEMD}.Unit`, 'ActiveState'];
}
