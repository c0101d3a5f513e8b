/**
 * run(): start one command in a group of its own, wait for it, and make sure
 * that when the promise settles the whole tree is gone (unless the caller
 * asked to keep the leftovers). The stages:
 *
 * 1. The leader runs until it exits, or until the timeout or the AbortSignal
 *    asks for a stop; a stop is the group's graceful shutdown (signal, grace,
 *    then SIGKILL unless `escalate: false`).
 * 2. The leader exited on its own: whatever of its tree still runs is the
 *    `leftovers`. 'kill' shuts them down the same graceful way, 'wait' waits
 *    for them to drain (the timeout and the AbortSignal still apply), 'keep'
 *    lets them be.
 * 3. Always: the group is closed, which kills whatever is left, unless a
 *    stand-down (keep, or escalate: false) spared it.
 */
import type { ChildProcess } from 'node:child_process';
import type { ShutdownReport } from '../driver/graceful.js';
import type { MechanismName } from '../group/containment.js';
import type { CgroupOrigin } from '../mechanisms/cgroup/cgroup-origin.js';
import { ProcessGroup } from '../group/process-group.js';
import { normalizeSpawnArguments } from '../group/spawn-arguments.js';
import { resolveRunOptions, type ResolvedRunOptions, type RunOptions } from './run-options.js';
import { StopRequest, type StopReason } from './stop-request.js';
import { waitUntilEmpty } from './wait-until-empty.js';

export interface RunResult {
  /** The leader's exit code, or null when it died of a signal (or was left running). */
  exitCode: number | null;
  /** The signal the leader died of, or null. */
  signal: NodeJS.Signals | null;
  /** The timeout ran out and the tree was shut down. */
  timedOut: boolean;
  /** The AbortSignal fired and the tree was shut down. */
  cancelled: boolean;
  /**
   * Pids of the descendants still running at the moment the leader exited on
   * its own (before any timeout or cancellation); empty when the tree went
   * with its leader, or when the leader was stopped by corral.
   */
  leftovers: number[];
  /** The report of the graceful shutdown, if one ran (timeout, cancellation, leftovers: 'kill'). */
  report: ShutdownReport | undefined;
  /** The mechanism the group really used. */
  mechanism: MechanismName;
  /** Why mechanism 'auto' did not get cgroup v2, if it did not. */
  fallbackReason: string | undefined;
  /** Where the group's cgroup came from (own cgroup, cgroupParent, or a systemd scope); undefined under pgroup. */
  cgroupOrigin: CgroupOrigin | undefined;
  /** The leader's pid. */
  pid: number;
  /** Milliseconds from the spawn until the tree was gone (or left to run). */
  elapsedMs: number;
}

export type { RunOptions, LeftoversPolicy } from './run-options.js';

interface LeaderExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Run `command` with `args` and settle once the whole tree is gone. Rejects
 * with Node's own error when the command cannot be started (ENOENT...), and
 * with a CorralError (EINVALID_OPTION...) for bad options; nothing is left
 * running in either case. An AbortSignal that has already fired rejects with
 * its reason before anything starts.
 */
export async function run(command: string, args?: readonly string[], options?: RunOptions): Promise<RunResult>;
export async function run(command: string, options?: RunOptions): Promise<RunResult>;
export async function run(command: string, argsOrOptions?: readonly string[] | RunOptions, maybeOptions?: RunOptions): Promise<RunResult> {
  const { file, args, options } = normalizeSpawnArguments(command, argsOrOptions, maybeOptions);
  const resolved = resolveRunOptions(options);
  resolved.signal?.throwIfAborted();
  const group = await ProcessGroup.create(resolved.group);
  let result: RunResult;
  try {
    result = await supervise(group, file, args, resolved);
  } catch (error) {
    // The first failure is the one worth reporting; close() still kills the tree.
    await group.close().catch(() => undefined);
    throw error;
  }
  await group.close();
  return result;
}

async function supervise(group: ProcessGroup, file: string, args: string[], options: ResolvedRunOptions): Promise<RunResult> {
  const child = group.spawn(file, args, options.spawn);
  const exited = new Promise<LeaderExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await startedOrFailed(child);
  const started = performance.now();
  options.onSpawn?.(child, group);

  const stop = new StopRequest(options.timeout, options.signal);
  let report: ShutdownReport | undefined;
  let leftovers: number[] = [];
  let leader: LeaderExit | undefined;
  try {
    const first = await Promise.race([exited, stop.requested]);
    if (isStopReason(first)) {
      report = await group.shutdown();
      leader = await leaderAfterShutdown(child, exited, report);
    } else {
      leader = first;
      // Only 'wait' still honours the timeout and the AbortSignal: 'kill' and
      // 'keep' act at once, and a stop arriving meanwhile must not be claimed.
      if (options.leftovers !== 'wait') stop.dispose();
      leftovers = await group.members();
      if (leftovers.length > 0) report = await settleLeftovers(group, options, stop);
    }
  } finally {
    stop.dispose();
  }
  return {
    exitCode: leader?.code ?? null,
    signal: leader?.signal ?? null,
    timedOut: stop.reason === 'timeout',
    cancelled: stop.reason === 'cancel',
    leftovers,
    report,
    mechanism: group.mechanism,
    fallbackReason: group.fallbackReason,
    cgroupOrigin: group.cgroupOrigin,
    pid: child.pid ?? 0,
    elapsedMs: performance.now() - started,
  };
}

/** Resolves on 'spawn', rejects with Node's error (ENOENT, EACCES...) when the command could not start. */
function startedOrFailed(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      child.off('spawn', onSpawn);
      reject(error);
    };
    const onSpawn = () => {
      child.off('error', onError);
      // run() never calls child.kill(), so a later 'error' has no cause of
      // ours; it must not become an uncaught exception either.
      child.on('error', () => undefined);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
}

/**
 * The leader after a shutdown: dead (its exit event may still be on its way),
 * or still running because the shutdown stood down (escalate: false).
 */
async function leaderAfterShutdown(child: ChildProcess, exited: Promise<LeaderExit>, report: ShutdownReport): Promise<LeaderExit | undefined> {
  const leftRunning = report.stoodDown && child.pid !== undefined && report.survivors.includes(child.pid);
  return leftRunning ? undefined : exited;
}

async function settleLeftovers(group: ProcessGroup, options: ResolvedRunOptions, stop: StopRequest): Promise<ShutdownReport | undefined> {
  switch (options.leftovers) {
    case 'keep':
      group.spare();
      return undefined;
    case 'kill':
      return group.shutdown();
    case 'wait': {
      const reason = await waitUntilEmpty(group, stop.requested);
      return reason === undefined ? undefined : group.shutdown();
    }
  }
}

function isStopReason(value: LeaderExit | StopReason): value is StopReason {
  return typeof value === 'string';
}
