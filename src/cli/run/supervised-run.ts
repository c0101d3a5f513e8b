/**
 * `corral run --restart ...`: the command under supervise(), with corral's
 * Ctrl+C handling. The first stop signal stops the current tree gracefully
 * and ends supervision (no restart follows a cancel); a second one kills
 * that tree at once. The exit status is the last run's, as for one run.
 */
import type { RunOptions } from '../../run/run-options.js';
import { DEFAULT_BACKOFF } from '../../supervise/supervise-options.js';
import { supervise } from '../../supervise/supervise.js';
import type { Interrupts } from './interrupts.js';
import type { RestartRequest } from './restart-flags.js';
import type { RunCommandLine } from './run-flags.js';
import { endedAs, reportRunEnd } from './summary.js';

export async function runSupervised(
  line: RunCommandLine,
  restart: RestartRequest,
  options: RunOptions,
  interrupts: Interrupts,
): Promise<number> {
  const initialDelay = restart.initialDelay ?? DEFAULT_BACKOFF.initialDelay;
  const say = (text: string) => line.verbose && process.stderr.write(`corral: ${text}\n`);
  const outcome = await supervise(line.command, line.args, {
    ...options,
    restart: restart.restart,
    ...(restart.maxRestarts === undefined ? {} : { maxRestarts: restart.maxRestarts }),
    backoff: { initialDelay, maxDelay: Math.max(initialDelay, DEFAULT_BACKOFF.maxDelay) },
    signal: interrupts.signal,
    onStart: ({ group }) => interrupts.onForce(group),
    onExit: ({ incarnation, result }) => say(`run ${incarnation} ended: ${endedAs(result)}`),
    onRestart: ({ incarnation, delayMs }) => say(`run ${incarnation} starts in ${delayMs} ms`),
  });
  return reportRunEnd(line, outcome.last, interrupts, {
    verboseSuffix: `, ${outcome.runs} run(s), supervision ended: ${outcome.reason}`,
    json: { runs: outcome.runs, restarts: outcome.restarts, supervisionEnded: outcome.reason },
  });
}
