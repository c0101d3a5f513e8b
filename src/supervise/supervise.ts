/**
 * supervise(): run a command again and again under a restart policy, one
 * incarnation at a time. The loop:
 *
 * 1. An incarnation is one run(): a group of its own, and its promise
 *    settles only once that group's whole tree is gone (leftovers are
 *    killed, escapees included). So the next incarnation never starts
 *    beside a predecessor's child: a port is never held by a dead
 *    incarnation's helper.
 * 2. When it has ended, supervision stops, in this order, if: the
 *    AbortSignal fired ('cancelled'); `stopWhen` says so ('stop-when'); the
 *    policy asks for no restart ('policy': 'never', or 'on-failure' after a
 *    run that exited 0); the budget is spent ('max-restarts').
 * 3. Otherwise the backoff's delay is waited on the clock (the AbortSignal
 *    cuts it short and ends supervision: a cancel is never followed by a
 *    restart), and the next incarnation starts.
 */
import type { ChildProcess } from 'node:child_process';
import { systemClock, type Clock } from '../driver/clock.js';
import type { ProcessGroup } from '../group/process-group.js';
import { normalizeSpawnArguments } from '../group/spawn-arguments.js';
import { run, type RunResult } from '../run/run.js';
import { Backoff } from './backoff.js';
import { resolveSuperviseOptions, type ResolvedSuperviseOptions, type SuperviseOptions } from './supervise-options.js';

/** Why supervision ended. */
export type SupervisionEndReason = 'cancelled' | 'stop-when' | 'policy' | 'max-restarts';

export interface SupervisionOutcome {
  reason: SupervisionEndReason;
  /** The last incarnation's result (its tree is gone). */
  last: RunResult;
  /** How many incarnations ran. */
  runs: number;
  /** How many of them were restarts (runs - 1). */
  restarts: number;
}

/** One incarnation: run it, calling `onSpawn` once its leader is up; settles once its tree is gone. */
export type RunIncarnation = (onSpawn: (child: ChildProcess, group: ProcessGroup) => void) => Promise<RunResult>;

/**
 * Run `command` under supervision. Rejects like run() when the command
 * cannot be started (nothing is restarted then), with a CorralError for bad
 * options (nothing starts), and with the AbortSignal's reason if it fired
 * before the first start.
 */
export async function supervise(
  command: string,
  args?: readonly string[],
  options?: SuperviseOptions,
): Promise<SupervisionOutcome>;
export async function supervise(command: string, options?: SuperviseOptions): Promise<SupervisionOutcome>;
export async function supervise(
  command: string,
  argsOrOptions?: readonly string[] | SuperviseOptions,
  maybeOptions?: SuperviseOptions,
): Promise<SupervisionOutcome> {
  const { file, args, options } = normalizeSpawnArguments(command, argsOrOptions, maybeOptions);
  const resolved = resolveSuperviseOptions(options);
  return superviseRuns((onSpawn) => run(file, args, { ...resolved.run, onSpawn }), resolved, systemClock);
}

/** The supervision loop over any way of running one incarnation (hermetic tests give a scripted one). */
export async function superviseRuns(
  runIncarnation: RunIncarnation,
  options: ResolvedSuperviseOptions,
  clock: Clock,
  random: () => number = Math.random,
): Promise<SupervisionOutcome> {
  options.signal?.throwIfAborted();
  const backoff = new Backoff(options.backoff, random);
  for (let incarnation = 1; ; incarnation++) {
    const startedAt = clock.now();
    const result = await runIncarnation((child, group) => options.onStart?.({ incarnation, child, group }));
    const uptime = clock.now() - startedAt;
    options.onExit?.({ incarnation, result });
    let end: SupervisionEndReason | undefined = reasonToEnd(options, result, incarnation);
    if (end === undefined) {
      const delayMs = backoff.next(uptime);
      options.onRestart?.({ incarnation: incarnation + 1, delayMs, previous: result });
      if (await abortedDuring(delayMs, options.signal, clock)) end = 'cancelled';
    }
    if (end !== undefined) return { reason: end, last: result, runs: incarnation, restarts: incarnation - 1 };
  }
}

function reasonToEnd(options: ResolvedSuperviseOptions, result: RunResult, incarnation: number) {
  // Checked first: an abort that came just after the leader exited on its own must still end it.
  if (options.signal?.aborted) return 'cancelled';
  if (options.stopWhen?.(result, incarnation)) return 'stop-when';
  if (options.restart === 'never' || (options.restart === 'on-failure' && succeeded(result))) return 'policy';
  if (incarnation - 1 >= options.maxRestarts) return 'max-restarts';
  return undefined;
}

/** A run succeeded when its leader exited 0 on its own. */
function succeeded(result: RunResult): boolean {
  return result.exitCode === 0 && !result.timedOut && !result.cancelled;
}

/** Waits `ms` on the clock; true if the AbortSignal fired before or during the wait. */
async function abortedDuring(ms: number, signal: AbortSignal | undefined, clock: Clock): Promise<boolean> {
  if (signal?.aborted) return true;
  const sleep = clock.sleep(ms);
  const onAbort = () => sleep.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await sleep.promise;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return signal?.aborted ?? false;
}
