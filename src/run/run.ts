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
import type { ShutdownReport } from '../driver/graceful.js';
import { ProcessGroup } from '../group/process-group.js';
import { controllersFor, prepareCgroupForLimits } from '../mechanisms/cgroup/index.js';
import type { ResolvedCreateOptions } from '../options/group-options.js';
import { normalizeSpawnArguments } from '../group/spawn-arguments.js';
import { forwardOutput, OutputCapture } from './capture-output.js';
import { resolveRunOptions, type ResolvedRunOptions, type RunOptions } from './run-options.js';
import { StopRequest } from './stop-request.js';
import type { LeftoverProcess, RunResult } from './run-result.js';
import { settleLeftovers } from './settle-leftovers.js';
import { systemClock, type Clock } from '../driver/clock.js';
import { withServers, type ServerFailure, type ServerSet } from './servers/server-set.js';
import { IdleWatch } from './idle-watch.js';
import { exitOf, startedOrFailed, type ServerExit } from './servers/wait-until-ready.js';

export type { RunResult, LeftoverProcess } from './run-result.js';
export type { RunOptions, LeftoversPolicy } from './run-options.js';
export type { OutputBytes, OutputEncoding } from './capture-output.js';
export type { ServerReport, ServerFailure } from './servers/server-set.js';
export type { ServerSpec, ServerOutput } from './servers/server-options.js';

/** Buffers with `encoding: 'buffer'`, else strings. */
type OutputOf<O extends RunOptions> = O extends { encoding: 'buffer' } ? Buffer : string;

/**
 * Run `command` with `args` and settle once the whole tree is gone. Rejects
 * with Node's own error when the command cannot be started (ENOENT...), and
 * with a CorralError (EINVALID_OPTION...) for bad options; nothing is left
 * running in either case. An AbortSignal that has already fired rejects with
 * its reason before anything starts.
 */
export async function run<O extends RunOptions>(
  command: string,
  args?: readonly string[],
  options?: O,
): Promise<RunResult<OutputOf<O>>>;
export async function run<O extends RunOptions>(command: string, options?: O): Promise<RunResult<OutputOf<O>>>;
export async function run(
  command: string,
  argsOrOptions?: readonly string[] | RunOptions,
  maybeOptions?: RunOptions,
): Promise<RunResult<string | Buffer>> {
  return runOnClock(systemClock, command, argsOrOptions, maybeOptions);
}

/**
 * run() with the time its timeout and its 'wait' for leftovers run on given
 * as a Clock (the tests' seam, as ProcessGroup.fromContainment is the
 * group's): a test opens the timeout once the tree is up, instead of
 * guessing how long a machine needs to get it there. Not part of the API.
 */
export async function runOnClock(
  clock: Clock,
  command: string,
  argsOrOptions?: readonly string[] | RunOptions,
  maybeOptions?: RunOptions,
): Promise<RunResult<string | Buffer>> {
  const { file, args, options } = normalizeSpawnArguments(command, argsOrOptions, maybeOptions);
  const unprepared = resolveRunOptions(options);
  unprepared.signal?.throwIfAborted();
  const resolved = { ...unprepared, group: await withLimitsPrepared(unprepared.group) };
  if (resolved.servers.length === 0) return runInGroup(clock, file, args, resolved, undefined);
  return withServers(resolved, clock, (servers) => runInGroup(clock, file, args, resolved, servers));
}

/**
 * Limits need a cgroup whose controllers are enabled for its children, and a
 * cgroup holding processes cannot enable them: so when limits are asked for
 * under cgroup v2 without a cgroupParent, this process first moves itself
 * into a leaf of its own cgroup (prepareCgroupForLimits, once per process)
 * and the group is made beside it. run() and `corral run` both do it, so
 * that they behave the same on the same host. Without limits nothing is
 * moved.
 */
async function withLimitsPrepared(options: ResolvedCreateOptions): Promise<ResolvedCreateOptions> {
  if (options.limits === undefined || options.mechanism === 'pgroup' || options.cgroupParent !== undefined)
    return options;
  const prepared = await prepareCgroupForLimits(controllersFor(options.limits), undefined, {
    systemdScope: options.systemdScope,
  });
  return { ...options, cgroupParent: prepared.cgroupParent };
}

async function runInGroup(
  clock: Clock,
  file: string,
  args: string[],
  resolved: ResolvedRunOptions,
  servers: ServerSet | undefined,
): Promise<RunResult<string | Buffer>> {
  const group = await ProcessGroup.create(resolved.group);
  const result = await supervise(group, file, args, resolved, clock, servers).catch(async (error: unknown) => {
    // The first failure is the one worth reporting; close() still kills the tree.
    await group.close().catch(() => undefined);
    throw error;
  });
  await group.close();
  return result;
}

async function supervise(
  group: ProcessGroup,
  file: string,
  args: string[],
  options: ResolvedRunOptions,
  clock: Clock,
  servers: ServerSet | undefined,
): Promise<RunResult<string | Buffer>> {
  const child = group.spawn(file, args, options.spawn);
  const exited = exitOf(child);
  // Read from the first byte on: a pipe left unread blocks the tree once full.
  const capture =
    options.capture && child.stdout && child.stderr
      ? new OutputCapture(child.stdout, child.stderr, options.capture.maxBuffer)
      : undefined;
  await startedOrFailed(child).catch((error: unknown) => {
    capture?.stop();
    throw error;
  });
  const started = clock.now();
  options.onSpawn?.(child, group);

  const stop = new StopRequest(options.timeout, options.signal, clock);
  let serverFailure: ServerFailure | undefined;
  void servers?.firstExit().then((failure) => {
    if (stop.request('server')) serverFailure = failure;
  });
  let idleMs: number | undefined;
  const forwarded = options.idle?.forward ? forwardOutput(child) : undefined;
  const idle =
    options.idle &&
    new IdleWatch(clock, options.idle.timeoutMs, [child.stdout, child.stderr], (silentMs) => {
      if (stop.request('idle')) idleMs = silentMs;
    });
  let report: ShutdownReport | undefined;
  let leftovers: number[] = [];
  let leftoverProcesses: LeftoverProcess[] = [];
  let leader: ServerExit | undefined;
  try {
    const first = await Promise.race([exited, stop.requested]);
    if (typeof first === 'string') {
      report = await group.shutdown();
      // The leader is dead (its exit event may still be on its way), or still runs: the shutdown stood down.
      const leftRunning = report.stoodDown && child.pid !== undefined && report.survivors.includes(child.pid);
      leader = leftRunning ? undefined : await exited;
    } else {
      leader = first;
      // Only 'wait' still honours the timeout and the AbortSignal: 'kill' and
      // 'keep' act at once, and a stop arriving meanwhile must not be claimed.
      if (options.leftovers !== 'wait') stop.dispose();
      ({ leftovers, leftoverProcesses, report } = await settleLeftovers(group, options.leftovers, stop, clock));
    }
  } finally {
    stop.dispose();
    idle?.dispose();
  }
  // A report, never a reason to fail the run: undefined if the group cannot give any.
  const stats = await group.finalStats().catch(() => undefined);
  if (!group.skipDropKill) await forwarded?.wait(clock);
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
    pid: child.pid,
    elapsedMs: clock.now() - started,
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
