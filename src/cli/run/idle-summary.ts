/** What `corral run --idle-timeout` says when it stopped a silent tree (always, on stderr). */
import type { RunResult } from '../../run/run.js';

export function idleLines(result: RunResult): string[] {
  if (!result.idleTimedOut) return [];
  const seconds = ((result.idleMs ?? 0) / 1000).toFixed(1);
  return [`corral: the command's tree wrote nothing for ${seconds} s (--idle-timeout); it was stopped`];
}
