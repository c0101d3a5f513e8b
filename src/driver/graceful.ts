/**
 * The escalate-or-stand-down driver, shared by every containment mechanism.
 *
 * 1. Take the latch generation. A tree that has already drained is reported
 *    as such before any signal is sent. The members are counted by the first
 *    signal (how many it reached), not by a listing before it: under the
 *    fallback a listing is a /proc scan, and the tree's death would wait
 *    behind it.
 * 2. For each phase (by default one: the group's killSignal and its
 *    shutdownTimeout): send the phase's signal to every member, then SIGCONT,
 *    so that a stopped member wakes up to handle it (as systemd does). Then
 *    wait, event-driven where the target can tell and by a backoff poll
 *    otherwise, until the tree drains or the phase's deadline passes. A failed
 *    delivery is recorded in the phase, never swallowed, and the wait goes on.
 * 3. Drained: done. Otherwise either
 *    - escalate: hardKill(), then wait for the drain up to killTimeout (a
 *      process in uninterruptible sleep can outlive SIGKILL for a while); if
 *      members remain, reject with EKILL_TIMEOUT listing them, or with
 *      EKILL_FAILED when the hard kill itself failed; or
 *    - stand down: leave the survivors running and ask the latch to skip the
 *      kill on disposal. The latch refuses if a spawn happened since step 1,
 *      so processes this shutdown never saw are still killed on close().
 */
import { CorralError, failure, survivedKill } from '../errors.js';
import type { ShutdownPlan } from '../options/group-options.js';
import type { SignalName } from '../options/signals.js';
import type { Clock } from './clock.js';
import type { StandDownLatch } from './latch.js';
import type { GracefulTarget } from './target.js';
import { waitForDrain } from './wait-for-drain.js';

export interface PhaseReport {
  signal: SignalName;
  timeout: number;
  /** How many processes the signal reached. */
  signalled: number;
  /** Delivery failed for a reason other than "already gone"; see `error`. */
  deliveryFailed: boolean;
  error?: CorralError;
  /** The tree drained during this phase. */
  drained: boolean;
  elapsedMs: number;
}

export interface ShutdownReport {
  /** The first graceful signal sent (the only one unless `phases` were given). */
  signal: SignalName;
  /** Live members when the shutdown began: those its first signal reached (0 for a tree already drained). */
  membersBefore: number;
  /** Live members when it returned: 0 unless it stood down. */
  membersAfter: number;
  /** The tree drained on the graceful signal(s) alone. */
  drainedWithinGrace: boolean;
  /** Survivors were hard-killed. */
  escalated: boolean;
  /** Survivors were left running and the skipDropKill latch was set. */
  stoodDown: boolean;
  /** Pids still running when it returned (left running by a stand-down). */
  survivors: number[];
  elapsedMs: number;
  phases: PhaseReport[];
  /** Every error met along the way (failed deliveries, a failed hard kill that the drain made moot). */
  errors: CorralError[];
}

export async function shutdownTree(
  target: GracefulTarget,
  plan: ShutdownPlan,
  { clock, latch }: { clock: Clock; latch: StandDownLatch },
): Promise<ShutdownReport> {
  const started = clock.now();
  const generation = latch.generation;
  const firstSignal = plan.phases[0]?.signal ?? 'SIGTERM';
  const report: ShutdownReport = {
    signal: firstSignal,
    membersBefore: 0,
    membersAfter: 0,
    drainedWithinGrace: false,
    escalated: false,
    stoodDown: false,
    survivors: [],
    elapsedMs: 0,
    phases: [],
    errors: [],
  };
  // A drained tree has no members to list; only a stand-down reads them again.
  const finish = async (drained: boolean): Promise<ShutdownReport> => {
    report.survivors = drained ? [] : await target.members();
    report.membersAfter = report.survivors.length;
    report.elapsedMs = clock.now() - started;
    return report;
  };

  if (await target.isDrained()) {
    report.drainedWithinGrace = true;
    return finish(true);
  }

  for (const phase of plan.phases) {
    const phaseStart = clock.now();
    const phaseReport: PhaseReport = {
      signal: phase.signal,
      timeout: phase.timeout,
      signalled: 0,
      deliveryFailed: false,
      drained: false,
      elapsedMs: 0,
    };
    try {
      const thenContinue = phase.signal !== 'SIGCONT' && phase.signal !== 'SIGKILL';
      phaseReport.signalled = await target.signal(phase.signal, { thenContinue });
    } catch (error) {
      const failure = asCorralError(error, 'ESIGNAL_FAILED', `sending ${phase.signal} to the tree failed`);
      phaseReport.deliveryFailed = true;
      phaseReport.error = failure;
      report.errors.push(failure);
    }
    if (report.phases.length === 0)
      report.membersBefore = phaseReport.deliveryFailed ? (await target.members()).length : phaseReport.signalled;
    phaseReport.drained = await waitForDrain(target, phaseStart + phase.timeout, clock);
    phaseReport.elapsedMs = clock.now() - phaseStart;
    report.phases.push(phaseReport);
    if (phaseReport.drained) {
      report.drainedWithinGrace = true;
      return finish(true);
    }
  }

  if (!plan.escalate) {
    report.stoodDown = latch.requestStandDown(generation);
    // When the latch refuses (a spawn happened while we waited, so the tree
    // holds processes this shutdown never signalled), stoodDown stays false
    // and the kill on disposal stays armed.
    return finish(false);
  }

  report.escalated = true;
  await hardKillAndWait(target, plan.killTimeout, clock, report.errors);
  return finish(true);
}

/**
 * SIGKILL the tree and wait, bounded, until it has drained. Rejects with EKILL_FAILED (the kill failed and members
 * remain) or EKILL_TIMEOUT (members outlived the bound), listing the survivors. `errors` collects what went wrong on
 * the way, also when the drain makes it moot.
 */
export async function hardKillAndWait(
  target: GracefulTarget,
  killTimeout: number,
  clock: Clock,
  errors: CorralError[] = [],
): Promise<void> {
  let killError: CorralError | undefined;
  try {
    await target.hardKill();
  } catch (error) {
    killError = asCorralError(error, 'EKILL_FAILED', 'the hard kill failed');
    errors.push(killError);
  }
  if (await waitForDrain(target, clock.now() + killTimeout, clock)) return;
  throw survivedKill(await target.members(), killTimeout, errors, killError);
}

function asCorralError(error: unknown, code: 'ESIGNAL_FAILED' | 'EKILL_FAILED', what: string): CorralError {
  return error instanceof CorralError ? error : failure(code, what, error);
}
