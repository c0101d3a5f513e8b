/**
 * pipeline(): `a | b | c` without a shell, each stage contained. The steps:
 *
 * 1. Each stage gets a group of its own (ProcessGroup.create) and its leader
 *    is spawned in it, its stdin the previous stage's stdout through a real
 *    pipe (see spawnConnected), so a reader's exit reaches the writer as
 *    SIGPIPE, as in a shell.
 * 2. When a stage's leader exits on its own: if it failed, and did not die
 *    of SIGPIPE (the victim of a reader that went first), every stage's
 *    tree is shut down and that stage is blamed (pipefail: the first failure
 *    seen, not its victims). Otherwise whatever it left running is shut
 *    down at once: a daemon holding the pipe open would keep the next stage
 *    from ever reading its end.
 * 3. The timeout or the AbortSignal shuts every stage's tree down.
 * 4. Once every leader has exited, every group is closed (which kills what
 *    is left), and the result carries every stage's status.
 */
import { execFile, type StdioOptions } from 'node:child_process';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';
import { systemClock, type Clock } from '../driver/clock.js';
import type { MechanismName } from '../mechanisms/containment.js';
import { ProcessGroup } from '../group/process-group.js';
import { exitOf, startedOrFailed } from '../run/servers/wait-until-ready.js';
import { StopRequest, type StopReason } from '../run/stop-request.js';
import {
  resolvePipelineOptions,
  type PipelineOptions,
  type PipelineStage,
  type ResolvedPipelineOptions,
} from './pipeline-options.js';

export type { PipelineOptions, PipelineStage } from './pipeline-options.js';

export interface StageResult {
  command: string;
  args: string[];
  pid: number;
  /** The leader's exit code, or null when it died of a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** corral stopped it: the timeout, the AbortSignal, or another stage's failure. */
  stopped: boolean;
  /** Pids of what it left running when its leader exited on its own (shut down since). */
  leftovers: number[];
  mechanism: MechanismName;
}

export interface PipelineResult {
  /** Every stage's status, in pipeline order. */
  stages: StageResult[];
  /** Pipefail: the index of the stage that failed first (a SIGPIPE victim is never blamed); undefined if none did. */
  failedStage: number | undefined;
  /**
   * The blamed stage's exit code; 0 when none failed; null when it died of a
   * signal, or the pipeline timed out or was cancelled with no stage to blame.
   */
  exitCode: number | null;
  /** The signal the blamed stage died of, or null. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** With capture: the last stage's stdout (utf8), up to maxBuffer bytes. */
  stdout: string | undefined;
  elapsedMs: number;
}

type LeaderExit = { code: number | null; signal: NodeJS.Signals | null };

export async function pipeline(stages: readonly PipelineStage[], options?: PipelineOptions): Promise<PipelineResult> {
  return pipelineOnClock(systemClock, stages, options);
}

/** pipeline() with its timeout on a given clock (the tests' seam, as runOnClock is run()'s). Not part of the API. */
export async function pipelineOnClock(
  clock: Clock,
  stages: readonly PipelineStage[],
  options?: PipelineOptions,
): Promise<PipelineResult> {
  const resolved = resolvePipelineOptions(stages, options);
  resolved.signal?.throwIfAborted();
  const groups: ProcessGroup[] = [];
  try {
    for (const _stage of resolved.stages) groups.push(await ProcessGroup.create(resolved.group));
    return await runStages(groups, resolved, clock);
  } finally {
    // Kills whatever is left: also after a stage that could not be started.
    await Promise.all(groups.map((group) => group.close().catch(() => undefined)));
  }
}

async function runStages(groups: ProcessGroup[], options: ResolvedPipelineOptions, clock: Clock) {
  const started = performance.now();
  const spawned = await spawnConnected(groups, options);
  const lastStdout = spawned.at(-1)!.child.stdout!;
  const captured = options.maxBuffer === undefined ? undefined : collect(lastStdout, options.maxBuffer);
  try {
    await Promise.all(spawned.map(({ started }) => started));
  } catch (error) {
    await Promise.all(groups.map((group) => group.kill().catch(() => undefined)));
    if (captured) lastStdout.destroy();
    throw error;
  }

  const shutdowns: Array<Promise<unknown> | undefined> = [];
  const shutDown = (index: number) => (shutdowns[index] ??= groups[index]!.shutdown().catch(() => undefined));
  let stopReason: StopReason | 'failure' | undefined;
  const stopAll = (reason: typeof stopReason) => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    groups.forEach((_group, index) => void shutDown(index));
  };
  const stop = new StopRequest(options.timeout, options.signal, clock);
  void stop.requested.then(stopAll);
  let failedStage: number | undefined;

  const stageResults = await Promise.all(
    spawned.map(async ({ child, exited }, index): Promise<StageResult> => {
      const { code, signal } = await exited;
      const stopped = stopReason !== undefined;
      let leftovers: number[] = [];
      if (!stopped && (code !== 0 || signal !== null) && !diedOfSigpipe(code, signal)) {
        failedStage = index;
        stopAll('failure');
      } else if (!stopped) {
        leftovers = await groups[index]!.members();
        if (leftovers.length > 0) await shutDown(index);
      }
      const { command, args } = options.stages[index]!;
      const { mechanism } = groups[index]!;
      return { command, args, pid: child.pid ?? 0, exitCode: code, signal, stopped, leftovers, mechanism };
    }),
  );
  stop.dispose();
  await Promise.all(shutdowns);
  const blamed = failedStage === undefined ? undefined : stageResults[failedStage]!;
  return {
    stages: stageResults,
    failedStage,
    exitCode: blamed ? blamed.exitCode : stopReason === 'timeout' || stopReason === 'cancel' ? null : 0,
    signal: blamed?.signal ?? null,
    timedOut: stop.reason === 'timeout',
    cancelled: stop.reason === 'cancel',
    stdout: await captured,
    elapsedMs: performance.now() - started,
  };
}

/**
 * Spawns every stage in its group, each one's stdout the next one's stdin
 * through a real pipe (a FIFO opened at both ends, then unlinked): Node's
 * own 'pipe' stdio is a socketpair, where a writer whose reader exited gets
 * ECONNRESET and an error message instead of a shell's quiet SIGPIPE. Our
 * copies of the ends are closed once every stage holds its own: while we
 * held a read end, a writer whose reader exited would block instead.
 */
async function spawnConnected(groups: ProcessGroup[], options: ResolvedPipelineOptions) {
  const pipes = await openPipes(options.stages.length - 1);
  try {
    return options.stages.map((stage, index) => {
      const isLast = index === options.stages.length - 1;
      const stdin = index === 0 ? options.stdin : pipes[index - 1]!.read.fd;
      const stdout = isLast ? (options.maxBuffer === undefined ? 'inherit' : 'pipe') : pipes[index]!.write.fd;
      const stdio: StdioOptions = [stdin, stdout, options.stderr];
      const child = groups[index]!.spawn(stage.command, stage.args, { stdio, cwd: stage.cwd, env: stage.env });
      // Listened to at once: the closes awaited below let 'spawn' and 'exit' pass.
      const exited: Promise<LeaderExit> = exitOf(child);
      const started = startedOrFailed(child);
      started.catch(() => undefined);
      return { child, started, exited };
    });
  } finally {
    await Promise.all(pipes.flatMap(({ read, write }) => [read.close(), write.close()]));
  }
}

/** `count` pipes, each a FIFO in a private directory, opened at both ends (each open waits for the other), unlinked. */
async function openPipes(count: number): Promise<{ read: FileHandle; write: FileHandle }[]> {
  if (count === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'corral-pipeline-'));
  try {
    const paths = Array.from({ length: count }, (_unused, index) => join(dir, String(index)));
    await promisify(execFile)('mkfifo', ['-m', '600', ...paths]);
    const pipes = [];
    for (const path of paths) {
      const [read, write] = await Promise.all([open(path, 'r'), open(path, 'w')]);
      pipes.push({ read, write });
    }
    return pipes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Killed by SIGPIPE, or a shell reporting that its command was (128 + 13). */
const diedOfSigpipe = (code: number | null, signal: NodeJS.Signals | null) => signal === 'SIGPIPE' || code === 141;

/** Reads the stream to its end, keeping the first maxBuffer bytes. */
function collect(stream: Readable, maxBuffer: number): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  stream.on('data', (chunk: Buffer) => {
    if (kept >= maxBuffer) return;
    const part = chunk.subarray(0, maxBuffer - kept);
    chunks.push(part);
    kept += part.length;
  });
  return new Promise((resolve) => stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
}
