/**
 * What `corral run` tells about the run once the tree is gone: with
 * --verbose one line for people, with --json one object for programs (on
 * stderr, so the command's own stdout stays clean).
 */
import type { ShutdownReport } from '../../driver/graceful.js';
import type { RunResult } from '../../run/run.js';
import { EXIT_LEFT_PROCESSES, exitStatusOf } from './exit-status.js';
import type { Interrupts } from './interrupts.js';

export interface RunSummaryInput {
  result: RunResult;
  status: number;
  /** The signal corral itself received, if any. */
  interruptedBy: string | undefined;
  /** A second signal asked for the immediate kill. */
  forced: boolean;
}

/** A process's command line as the reports show it, or why there is none. */
export const commandOrGone = (command: string) => (command === '' ? '(gone before it could be read)' : command);

/** '1 process', '2 processes'. */
export const processes = (count: number) => `${count} process${count === 1 ? '' : 'es'}`;

/** How a run ended, for the --verbose lines of --restart and --watch. */
export const endedAs = (result: RunResult) =>
  result.exitCode !== null ? `exit ${result.exitCode}` : (result.signal ?? 'stopped');

export function verboseLine({ result, status, interruptedBy, forced }: RunSummaryInput): string {
  const report = result.report;
  const parts = [`corral: ${result.mechanism}`];
  if (result.fallbackReason !== undefined) parts[0] += ` (no cgroup: ${result.fallbackReason})`;
  if (result.cgroupOrigin?.kind === 'systemd-scope')
    parts[0] += ` (in systemd ${result.cgroupOrigin.manager} scope ${result.cgroupOrigin.unit ?? ''})`;
  const why = result.timedOut
    ? 'timeout'
    : result.idleTimedOut
      ? 'idle'
      : result.serverFailure
        ? 'server exited'
        : (interruptedBy ?? (result.leftovers.length > 0 ? 'leftovers' : undefined));
  const stopped = report && `stopped ${processes(report.membersBefore)}${why ? ` (${why})` : ''}`;
  parts.push(stopped ?? 'nothing to stop');
  if (forced) parts.push('killed at once (second signal)');
  else if (report?.escalated) parts.push(`escalated to SIGKILL after ${report.signal}`);
  else if (report?.stoodDown) parts.push(`${report.survivors.length} left running (no escalation)`);
  else if (report !== undefined) parts.push(`gone on ${report.signal}`);
  if (result.leftovers.length > 0 && report === undefined) parts.push(`${result.leftovers.length} leftover(s) kept`);
  parts.push(`${(result.elapsedMs / 1000).toFixed(3)} s`, `exit ${status}`);
  return parts.join(', ');
}

/**
 * One line per process the command left behind, named by pid and command
 * line: what --verbose and --fail-on-leftovers print after the summary.
 */
export function leftoverLines(result: RunResult): string[] {
  const kept = result.leftovers.length > 0 && result.report === undefined;
  return result.leftoverProcesses.map(
    ({ pid, command }) => `corral: left behind ${pid}${kept ? ' (kept running)' : ''}: ${commandOrGone(command)}`,
  );
}

export function jsonSummary({ result, status, interruptedBy, forced }: RunSummaryInput): Record<string, unknown> {
  return {
    status,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    interruptedBy: interruptedBy ?? null,
    forced,
    leftovers: result.leftovers,
    leftoverProcesses: result.leftoverProcesses,
    mechanism: result.mechanism,
    fallbackReason: result.fallbackReason ?? null,
    cgroupOrigin: result.cgroupOrigin ?? null,
    pid: result.pid ?? null,
    elapsedMs: result.elapsedMs,
    // What corral stopped: the members the shutdown found.
    stopped: result.report?.membersBefore ?? 0,
    report: result.report === undefined ? null : plainReport(result.report),
  };
}

/** Errors do not survive JSON.stringify; keep what identifies them. */
function plainReport(report: ShutdownReport): Record<string, unknown> {
  const plainError = (error: { code: string; message: string }) => ({ code: error.code, message: error.message });
  return {
    ...report,
    errors: report.errors.map(plainError),
    phases: report.phases.map(({ error, ...phase }) =>
      error === undefined ? phase : { ...phase, error: plainError(error) },
    ),
  };
}

/**
 * Says on stderr what every form of `corral run` says once the last tree is
 * gone; returns the exit status. `extras`: the notices said first (a server's
 * failure, the idle stop), what --verbose adds, the further --json fields.
 */
export function reportRunEnd(
  flags: { verbose: boolean; json: boolean; failOnLeftovers: boolean },
  result: RunResult,
  interrupts: Interrupts,
  extras: { notices?: string[]; verboseSuffix?: string; verboseLines?: string[]; json?: object } = {},
): number {
  const status = exitStatusOf(result, interrupts.exitStatus, { failOnLeftovers: flags.failOnLeftovers });
  const summary = { result, status, interruptedBy: interrupts.received, forced: interrupts.forced };
  const lines = [...(extras.notices ?? [])];
  if (flags.verbose) lines.push(`${verboseLine(summary)}${extras.verboseSuffix ?? ''}`, ...(extras.verboseLines ?? []));
  if (flags.verbose || (flags.failOnLeftovers && status === EXIT_LEFT_PROCESSES)) lines.push(...leftoverLines(result));
  if (flags.json) lines.push(JSON.stringify({ ...jsonSummary(summary), ...extras.json }));
  for (const text of lines) process.stderr.write(`${text}\n`);
  return status;
}
