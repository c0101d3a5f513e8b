/**
 * A process's command line, as `ps -o args` shows it: /proc/<pid>/cmdline
 * (NUL-separated arguments), or `[comm]` when that is empty (a zombie, a
 * kernel thread). Used to name what a run left behind, so "stopped 2
 * processes" can say which.
 */
import { readFile } from 'node:fs/promises';

/** The command line of `pid`, or '' when the process is already gone. */
export async function readCommandLine(pid: number): Promise<string> {
  const args = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const line = args.replace(/\0+$/, '').split('\0').join(' ');
  if (line !== '') return line;
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
  return comm === '' ? '' : `[${comm.trimEnd()}]`;
}
