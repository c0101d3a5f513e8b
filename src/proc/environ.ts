/**
 * /proc/<pid>/environ: the environment a process was started with (execve),
 * NUL-separated.
 */
import { readProcFileSync } from './read-proc-file.js';

/** The raw environ of `pid` (entries ending in NUL), or undefined when it cannot be read (gone, another user's). */
export function readEnvironSync(pid: number): string | undefined {
  return readProcFileSync(pid, 'environ');
}
