/**
 * Asking a systemd manager to move this process into a new transient scope
 * with Delegate=yes, and waiting, bounded, until it has. systemd answers
 * StartTransientUnit with a job; the move happens when the job runs. busctl
 * cannot wait for the JobRemoved signal (one process per call), so the wait
 * reads /proc/self/cgroup, which says at once when the move happened, and
 * asks about the job now and then: once the job is gone while we are still
 * outside, it failed. At the deadline the job is cancelled, so that a late
 * move cannot happen behind corral's back after it settled for the fallback.
 */
import type { Clock } from '../../../driver/clock.js';
import { cancelJobArguments, jobStateArguments, startScopeArguments, unitStateArguments } from './busctl-arguments.js';
import { parseObjectPathReply, parseStringProperty, saysUnknownObject } from './busctl-reply.js';
import type { ManagerBus, ManagerKind } from './manager-bus.js';
import type { Busctl } from './run-busctl.js';
import { cgroupIsInUnit, unitObjectPath } from './scope-unit.js';

export interface SystemdScope {
  /** The unit, e.g. corral-1234-0a1b2c3d.scope. */
  unit: string;
  manager: ManagerKind;
  /** The D-Bus address it was asked on. */
  bus: string;
  /** Its cgroup v2 path, as /proc/self/cgroup names it. */
  cgroup: string;
}

export type ScopeOutcome = { scope: SystemdScope } | { reason: string };

export interface StartScopeSeams {
  busctl: Busctl;
  clock: Clock;
  /** This process's cgroup v2 path now (the `0::` line of /proc/self/cgroup). */
  readOwnCgroup: () => string | undefined;
  pid: number;
  unit: string;
  description: string;
}

/** Bound on each busctl call. */
export const CALL_TIMEOUT_MS = 5000;
/** Bound on the wait for the move once systemd took the job. */
export const JOB_WAIT_MS = 5000;
/** How often the job is asked about meanwhile (each ask is one busctl process). */
const JOB_CHECK_EVERY_MS = 200;
const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 50;

export async function startDelegatedScope(bus: ManagerBus, seams: StartScopeSeams): Promise<ScopeOutcome> {
  const { busctl, clock, unit } = seams;
  const who = `the systemd ${bus.manager} manager (${bus.address})`;
  const started = await busctl(
    startScopeArguments(bus, { unit, pids: [seams.pid], description: seams.description }, CALL_TIMEOUT_MS),
    CALL_TIMEOUT_MS,
  );
  if (!started.ok) return { reason: `${who} did not start ${unit}: ${started.message}` };
  const job = parseObjectPathReply(started.stdout);
  if (job === undefined)
    return {
      reason: `${who} answered StartTransientUnit for ${unit} with no job: ${JSON.stringify(started.stdout.trim())}`,
    };

  const entered = (): ScopeOutcome | undefined => {
    const cgroup = seams.readOwnCgroup();
    return cgroup !== undefined && cgroupIsInUnit(cgroup, unit)
      ? { scope: { unit, manager: bus.manager, bus: bus.address, cgroup } }
      : undefined;
  };
  const deadline = clock.now() + JOB_WAIT_MS;
  let nextJobCheck = clock.now() + JOB_CHECK_EVERY_MS;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    const done = entered();
    if (done) return done;
    if (clock.now() >= deadline) break;
    if (clock.now() >= nextJobCheck) {
      const state = await busctl(jobStateArguments(bus, job, CALL_TIMEOUT_MS), CALL_TIMEOUT_MS);
      if (!state.ok && saysUnknownObject(state.message)) {
        // The job finished; a move it made is visible by now.
        const late = entered();
        if (late) return late;
        const unitState = await busctl(unitStateArguments(bus, unitObjectPath(unit), CALL_TIMEOUT_MS), CALL_TIMEOUT_MS);
        const active = (unitState.ok ? parseStringProperty(unitState.stdout) : undefined) ?? 'unknown';
        return {
          reason: `${who} finished the job for ${unit} without moving this process into it (unit state: ${active})`,
        };
      }
      nextJobCheck = clock.now() + JOB_CHECK_EVERY_MS;
    }
    await clock.sleep(pause).promise;
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
  await busctl(cancelJobArguments(bus, job, CALL_TIMEOUT_MS), CALL_TIMEOUT_MS);
  return (
    entered() ?? {
      reason: `${who} did not move this process into ${unit} within ${JOB_WAIT_MS} ms (job ${job} cancelled)`,
    }
  );
}
