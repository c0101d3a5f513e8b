/**
 * run(): start one command in a group of its own, wait for it, and make sure
 * that when the promise settles the whole tree is gone (unless the caller
 * asked to keep the leftovers). The stages:
 *
 * 0. With `servers`: each is started in a group of its own and waited for
 *    until ready (servers/server-set.ts); a server that exits or is not
 *    ready in time ends the run before the command starts.
 * 1. The leader runs until it exits, or until the timeout, the AbortSignal,
 *    the idle timeout (no output for that long) or a server exiting asks for
 *    a stop; a stop is the group's graceful shutdown (signal, grace, then
 *    SIGKILL unless `escalate: false`).
 * 2. The leader exited on its own: whatever of its tree still runs is the
 *    `leftovers`. 'kill' shuts them down the same graceful way, 'wait' waits
 *    for them to drain (the timeout and the AbortSignal still apply), 'keep'
 *    lets them be.
 * 3. Always: the group's stats() are read (the run's totals, before the
 *    cgroup goes), the captured output is collected once the pipes end, and
 *    the group is closed, which kills whatever is left, unless a stand-down
 *    (keep, or escalate: false) spared it. Then every server's whole tree
 *    is stopped, however the command ended.
 */
import type { ChildProcess } from 'node:child_process';
import type { ShutdownReport } from '../driver/graceful.js';
import type { GroupStats, MechanismName } from '../group/containment.js';
import { createResolvedGroup, type ProcessGroup } from '../group/process-group.js';
import type { CgroupOrigin } from '../mechanisms/cgroup/cgroup-origin.js';
import { normalizeSpawnArguments } from '../group/spawn-arguments.js';
import { OutputCapture, type OutputBytes } from './capture-output.js';
import { finalStats } from './final-stats.js';
import { readCommandLine } from '../proc/cmdline.js';
import { resolveRunOptions, type ResolvedRunOptions, type RunOptions } from './run-options.js';
import { StopRequest, type StopReason } from './stop-request.js';
import { waitUntilEmpty } from './wait-until-empty.js';
import { systemClock, type Clock } from '../driver/clock.js';
import { ServerSet, type ServerFailure, type ServerReport } from './servers/server-set.js';
import { IdleWatch } from './idle-watch.js';
import { ForwardedOutput } from './forward-output.js';

export interface RunResult<Output extends string | Buffer = string> {
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
  /**
   * The same leftovers, each with its command line as it was when the leader
   * exited ('' for one that was gone before it could be read): what the
   * command left behind, by name.
   */
  leftoverProcesses: LeftoverProcess[];
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
  /**
   * The group's stats() at the end of the run (undefined if unreadable).
   * cgroup: CPU time of every member that ran, and the peaks where the
   * controllers are enabled; the fallback has no CPU figure for a finished
   * tree, so cpuUsageMs is absent there.
   */
  stats: GroupStats | undefined;
  /** With capture: what the tree wrote to stdout, up to maxBuffer bytes (undefined without capture). */
  stdout: Output | undefined;
  /** With capture: what the tree wrote to stderr, up to maxBuffer bytes. */
  stderr: Output | undefined;
  /** With capture: the bytes each stream wrote, kept or not. */
  outputBytes: OutputBytes | undefined;
  /** With capture: a stream wrote more than maxBuffer bytes and was cut (the first maxBuffer kept). */
  outputTruncated: boolean;
  /** With servers: what became of each (what was stopped of its tree, its last lines); empty without. */
  servers?: ServerReport[];
  /**
   * With servers: the server that failed the run, if one did (it exited, or
   * was not ready in time). During 'start' the command never ran (pid 0,
   * exitCode null); during 'run' its tree was shut down.
   */
  serverFailure?: ServerFailure | undefined;
  /** idleTimeout: the tree wrote nothing on stdout or stderr for that long, and was shut down. */
  idleTimedOut?: boolean;
  /** With idleTimedOut: how long the tree had been silent when the shutdown began, in ms. */
  idleMs?: number | undefined;
}

/** A process the command left running when it exited. */
export interface LeftoverProcess {
  pid: number;
  /** Its arguments joined by spaces, as `ps -o args` shows them. */
  command: string;
}

export type { RunOptions, LeftoversPolicy } from './run-options.js';
export type { OutputBytes, OutputEncoding } from './capture-output.js';
export type { ServerReport, ServerFailure } from './servers/server-set.js';
export type { ServerSpec, ServerOutput } from './servers/server-options.js';

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
export async function run(command: string, args: readonly string[], options: RunOptions & { encoding: 'buffer' }): Promise<RunResult<Buffer>>;
export async function run(command: string, options: RunOptions & { encoding: 'buffer' }): Promise<RunResult<Buffer>>;
export async function run(command: string, args?: readonly string[], options?: RunOptions): Promise<RunResult>;
export async function run(command: string, options?: RunOptions): Promise<RunResult>;
export async function run(command: string, argsOrOptions?: readonly string[] | RunOptions, maybeOptions?: RunOptions): Promise<RunResult<string | Buffer>> {
  return runOnClock(systemClock, command, argsOrOptions, maybeOptions);
}

/**
 * run() with the time its timeout and its 'wait' for leftovers run on given
 * as a Clock (the tests' seam, as ProcessGroup.fromContainment is the
 * group's): a test opens the timeout once the tree is up, instead of
 * guessing how long a machine needs to get it there. Not part of the API.
 */
export async function runOnClock(clock: Clock, command: string, argsOrOptions?: readonly string[] | RunOptions, maybeOptions?: RunOptions): Promise<RunResult<string | Buffer>> {
  const { file, args, options } = normalizeSpawnArguments(command, argsOrOptions, maybeOptions);
  const resolved = resolveRunOptions(options);
  resolved.signal?.throwIfAborted();
  if (resolved.servers.length > 0) return runWithServers(clock, file, args, resolved);
  return runInGroup(clock, file, args, resolved, undefined);
}

/**
 * The servers first, each ready; then the command, stopped if a server
 * exits meanwhile; then, however it ended (or if it never started), every
 * server's whole tree.
 */
async function runWithServers(clock: Clock, file: string, args: string[], resolved: ResolvedRunOptions): Promise<RunResult<string | Buffer>> {
  const started = performance.now();
  const servers = await ServerSet.start(resolved.servers, resolved.group, resolved.spawn, { output: resolved.serverOutput, onSpawn: resolved.onServerSpawn }, clock);
  let result: RunResult<string | Buffer> | undefined;
  try {
    const notReady = await servers.untilReady(resolved.signal);
    result = notReady === undefined ? await runInGroup(clock, file, args, resolved, servers) : notStarted(notReady, servers, started);
  } finally {
    const reports = await servers.stop(result?.serverFailure);
    if (result !== undefined) result = { ...result, servers: reports };
  }
  return result;
}

/** The result of a run whose command never started: a server failed first, or the AbortSignal fired. */
function notStarted(why: ServerFailure | 'aborted', servers: ServerSet, started: number): RunResult<string | Buffer> {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: why === 'aborted',
    leftovers: [],
    leftoverProcesses: [],
    report: undefined,
    mechanism: servers.mechanism ?? 'pgroup',
    fallbackReason: undefined,
    cgroupOrigin: undefined,
    pid: 0,
    elapsedMs: performance.now() - started,
    stats: undefined,
    stdout: undefined,
    stderr: undefined,
    outputBytes: undefined,
    outputTruncated: false,
    servers: [],
    serverFailure: why === 'aborted' ? undefined : why,
  };
}

async function runInGroup(clock: Clock, file: string, args: string[], resolved: ResolvedRunOptions, servers: ServerSet | undefined): Promise<RunResult<string | Buffer>> {
  const group = await createResolvedGroup(resolved.group);
  let result: RunResult<string | Buffer>;
  try {
    result = await supervise(group, file, args, resolved, clock, servers);
  } catch (error) {
    // The first failure is the one worth reporting; close() still kills the tree.
    await group.close().catch(() => undefined);
    throw error;
  }
  await group.close();
  return result;
}

async function supervise(group: ProcessGroup, file: string, args: string[], options: ResolvedRunOptions, clock: Clock, servers: ServerSet | undefined): Promise<RunResult<string | Buffer>> {
  const child = group.spawn(file, args, options.spawn);
  const exited = new Promise<LeaderExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // Read from the first byte on: a pipe left unread blocks the tree once full.
  const capture = options.capture && child.stdout && child.stderr ? new OutputCapture(child.stdout, child.stderr, options.capture.maxBuffer) : undefined;
  try {
    await startedOrFailed(child);
  } catch (error) {
    capture?.stop();
    throw error;
  }
  const started = performance.now();
  options.onSpawn?.(child, group);

  const stop = new StopRequest(options.timeout, options.signal, clock);
  let serverFailure: ServerFailure | undefined;
  void servers?.firstExit().then((failure) => {
    if (stop.request('server')) serverFailure = failure;
  });
  let idleMs: number | undefined;
  const forwarded = options.idle?.forward ? new ForwardedOutput(child) : undefined;
  const idle = options.idle && new IdleWatch(clock, options.idle.timeoutMs, [child.stdout, child.stderr], (silentMs) => {
    if (stop.request('idle')) idleMs = silentMs;
  });
  let report: ShutdownReport | undefined;
  let leftovers: number[] = [];
  let leftoverProcesses: LeftoverProcess[] = [];
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
      // Named before anything is stopped: after the shutdown there is nothing left to read.
      leftoverProcesses = await Promise.all(leftovers.map(async (pid) => ({ pid, command: await readCommandLine(pid) })));
      if (leftovers.length > 0) report = await settleLeftovers(group, options, stop, clock);
    }
  } finally {
    stop.dispose();
    idle?.dispose();
  }
  const stats = await finalStats(group);
  if (!group.skipDropKill) await forwarded?.finish(clock);
  const output = await capture?.finish(!group.skipDropKill, options.capture!.encoding);
  return {
    exitCode: leader?.code ?? null,
    signal: leader?.signal ?? null,
    timedOut: stop.reason === 'timeout',
    cancelled: stop.reason === 'cancel',
    leftovers,
    leftoverProcesses,
    report,
    mechanism: group.mechanism,
    fallbackReason: group.fallbackReason,
    cgroupOrigin: group.cgroupOrigin,
    pid: child.pid ?? 0,
    elapsedMs: performance.now() - started,
    stats,
    stdout: output?.stdout,
    stderr: output?.stderr,
    outputBytes: output?.bytes,
    outputTruncated: output?.truncated ?? false,
    servers: [],
    serverFailure,
    idleTimedOut: stop.reason === 'idle',
    idleMs,
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

async function settleLeftovers(group: ProcessGroup, options: ResolvedRunOptions, stop: StopRequest, clock: Clock): Promise<ShutdownReport | undefined> {
  switch (options.leftovers) {
    case 'keep':
      group.spare();
      return undefined;
    case 'kill':
      return group.shutdown();
    case 'wait': {
      const reason = await waitUntilEmpty(group, stop.requested, clock);
      return reason === undefined ? undefined : group.shutdown();
    }
  }
}

function isStopReason(value: LeaderExit | StopReason): value is StopReason {
  return typeof value === 'string';
}
