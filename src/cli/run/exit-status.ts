/**
 * corral run's exit status, in the shell's and coreutils `timeout`'s terms:
 * - corral itself was told to stop (SIGINT, SIGTERM, SIGHUP): 128 + that signal;
 * - the timeout ran out: 124 (also when it ran out while waiting for leftovers);
 * - --idle-timeout: the tree wrote nothing for that long and was stopped: 120;
 * - a --server was not ready within its --ready-timeout: 121;
 * - a --server exited, before it was ready (the command never started) or
 *   while the command ran (the command was stopped): 122;
 * - with --fail-on-leftovers, the command exited but left processes behind: 123
 *   (they were stopped, or kept with --leftovers keep, and named on stderr);
 * - otherwise the command's own: its exit code, or 128 + n if it died of signal n.
 */
import { constants } from 'node:os';
import type { RunResult } from '../../run/run.js';
import { EXIT_CORRAL_FAILED } from '../failure.js';

/** 123 to 120: below coreutils' 124-127, which corral already gives their meanings. */
export const EXIT_LEFT_PROCESSES = 123;

export function exitStatusOf(
  result: RunResult,
  interruptStatus: number | undefined,
  { failOnLeftovers = false } = {},
): number {
  if (interruptStatus !== undefined) return interruptStatus;
  if (result.timedOut) return 124;
  if (result.idleTimedOut) return 120;
  if (result.serverFailure !== undefined) return result.serverFailure.reason === 'ready-timeout' ? 121 : 122;
  if (failOnLeftovers && result.leftovers.length > 0) return EXIT_LEFT_PROCESSES;
  if (result.exitCode !== null) return result.exitCode;
  if (result.signal !== null) return 128 + constants.signals[result.signal];
  // The leader was left running (a stand-down): there is no status to pass on.
  return EXIT_CORRAL_FAILED;
}
