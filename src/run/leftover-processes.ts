/**
 * Who the leftovers were: a pid alone means nothing in a job's report once
 * the process is gone, so run() reads each leftover's command line while it
 * still runs (just before it is stopped). A process that exits meanwhile, or
 * whose /proc entry we may not read, is still listed, with its name from
 * /proc/PID/comm if that is readable, or an empty command.
 */
import { readFileSync } from 'node:fs';

export interface LeftoverProcess {
  pid: number;
  /** The command line, arguments joined by spaces (empty if it could not be read). */
  command: string;
}

function readCommand(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // Kernel threads and zombies have an empty cmdline; their comm still names them.
    if (cmdline !== '') return cmdline.replace(/\0+$/, '').split('\0').join(' ');
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

export function describeLeftovers(pids: readonly number[]): LeftoverProcess[] {
  return pids.map((pid) => ({ pid, command: readCommand(pid) }));
}
