/**
 * Reading /proc/<pid>/stat: the one place that knows its layout (proc(5)).
 * The command name is in parentheses and may itself contain ') ', so fields
 * are counted from the last ')'.
 */
import { readdirSync } from 'node:fs';
import { readProcFileSync } from './read-proc-file.js';

export interface ProcStat {
  pid: number;
  /** One letter: R running, S sleeping, D disk sleep, T stopped, Z zombie... */
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Clock ticks since boot at which the process started: with the pid, an identity that survives pid reuse. */
  startTime: number;
  /** CPU time used so far (utime + stime of every thread), in clock ticks (AT_CLKTCK). */
  cpuTicks: number;
}

export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const pid = Number(text.slice(0, open).trim());
  const startTime = Number(fields[19]);
  if (!Number.isInteger(pid) || !Number.isFinite(startTime) || fields[0] === undefined) return undefined;
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    startTime,
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

/** The stat of one process, or undefined when it is gone. */
export function readProcStatSync(pid: number): ProcStat | undefined {
  const text = readProcFileSync(pid, 'stat');
  return text === undefined ? undefined : parseProcStat(text);
}

/**
 * The stats of every process in /proc that `keep` accepts; processes that vanish mid-scan are skipped.
 * Linux only: without /proc this throws, never "no process at all".
 */
export function scanProcesses(keep: (stat: ProcStat) => boolean): ProcStat[] {
  const found: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const stat = readProcStatSync(Number(name));
    if (stat && keep(stat)) found.push(stat);
  }
  return found;
}

/** The process's start time, the identity half that pid reuse cannot fake. */
export function startTimeOf(pid: number): number | undefined {
  return readProcStatSync(pid)?.startTime;
}
