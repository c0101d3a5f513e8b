/**
 * The job handler: one BullMQ job, one command, one corral group. Everything
 * a scheduler wants from a job that starts processes is in the RunResult:
 * the output (bounded), the leftovers by name, the resource figures, and
 * the certainty that, when this returns or throws, nothing of the job runs.
 *
 * In your project, import from 'corral' instead of the source tree.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import {
  CorralError,
  run,
  type GroupStats,
  type LeftoverProcess,
  type Limits,
  type MechanismName,
  type RunResult,
} from '../../src/index.js';

/** What a producer puts in a job. */
export interface CommandJob {
  command: string;
  args?: string[];
  /** Total milliseconds; then the tree is shut down gracefully and the job fails. */
  timeoutMs?: number;
  /** Milliseconds between SIGTERM and SIGKILL when the tree is stopped (default 5000). */
  graceMs?: number;
  /** cgroup limits; a host that cannot enforce them fails the job without retries. */
  limits?: Limits;
  /** Bytes of stdout and of stderr kept in the result (default 64 KiB each). */
  maxOutputBytes?: number;
  /** Added to the worker's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

/** What a completed job returns (and what a failed one logs). */
export interface CommandOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  outputTruncated: boolean;
  /** What the command left running when it exited; corral stopped it. */
  leftovers: LeftoverProcess[];
  stats: GroupStats | undefined;
  mechanism: MechanismName;
  elapsedMs: number;
  /** Set when corral had to stop the tree (timeout, cancellation, leftovers). */
  stop?: { escalated: boolean; drainedWithinGrace: boolean };
}

export interface RunJobSettings {
  /** From prepareCgroupForLimits(), where the host offers the controllers. */
  cgroupParent?: string;
}

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_MAX_OUTPUT = 64 * 1024;

/**
 * The processor. BullMQ passes the AbortSignal only to a processor declared
 * with three parameters (it checks `processor.length`), so keep `token`.
 */
export async function runCommandJob(
  job: Job<CommandJob>,
  settings: RunJobSettings,
  signal?: AbortSignal,
): Promise<CommandOutcome> {
  const data = job.data;
  let result: RunResult;
  try {
    result = await run(data.command, data.args ?? [], {
      timeout: data.timeoutMs,
      grace: data.graceMs ?? DEFAULT_GRACE_MS,
      signal,
      capture: true,
      maxBuffer: data.maxOutputBytes ?? DEFAULT_MAX_OUTPUT,
      env: { ...process.env, ...data.env },
      cwd: data.cwd,
      limits: data.limits,
      cgroupParent: data.limits ? settings.cgroupParent : undefined,
      // The job's pid and mechanism, as soon as it runs: watchers see the job start.
      onSpawn: (child, group) =>
        void job.updateProgress({ pid: child.pid, mechanism: group.mechanism }).catch(() => undefined),
    });
  } catch (error) {
    // Retrying cannot make this host enforce limits: fail for good, and say why.
    if (error instanceof CorralError && error.code === 'ELIMIT_UNENFORCEABLE')
      throw new UnrecoverableError(`refused: ${error.message}`);
    throw error;
  }
  const outcome = outcomeOf(result);
  if (result.cancelled) {
    await logOutcome(job, outcome);
    // A cancelled job must not be retried.
    throw new UnrecoverableError(`cancelled (${String(signal?.reason ?? 'no reason')}); ${describeStop(outcome)}`);
  }
  if (result.timedOut) {
    await logOutcome(job, outcome);
    throw new Error(`timed out after ${data.timeoutMs} ms; ${describeStop(outcome)}`);
  }
  if (result.exitCode !== 0) {
    await logOutcome(job, outcome);
    throw new Error(`exited with ${result.exitCode ?? result.signal}; stderr: ${outcome.stderr.slice(-500)}`);
  }
  return outcome;
}

function outcomeOf(result: RunResult): CommandOutcome {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    outputTruncated: result.outputTruncated,
    leftovers: result.leftoverProcesses,
    stats: result.stats,
    mechanism: result.mechanism,
    elapsedMs: Math.round(result.elapsedMs),
    ...(result.report
      ? { stop: { escalated: result.report.escalated, drainedWithinGrace: result.report.drainedWithinGrace } }
      : {}),
  };
}

function describeStop(outcome: CommandOutcome): string {
  if (!outcome.stop) return 'the tree had already ended';
  return outcome.stop.drainedWithinGrace
    ? 'the tree stopped within the grace'
    : 'the tree outlived the grace and was killed';
}

/** A failed job keeps its output in the job's log, where BullMQ keeps it. */
async function logOutcome(job: Job<CommandJob>, outcome: CommandOutcome): Promise<void> {
  await job.log(JSON.stringify(outcome)).catch(() => undefined);
}
