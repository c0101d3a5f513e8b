/**
 * Everything the process-group mechanism asks of the host, behind one seam:
 * killpg(2), the /proc reader and child_process.spawn. The real host is the
 * default; tests hand in a fake to replay races that a real machine will not
 * produce on demand (a leader pid recycled by a stranger).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { killpg, type SyscallResult } from '../../libc/libc.js';
import { readProcStatSync, scanProcesses, type ProcStat } from '../../proc/stat.js';

export interface PgroupHost {
  /** /proc is there to tell live members from zombies (Linux); without it, only killpg(pgid, 0) can be asked. */
  readonly procAvailable: boolean;
  killpg(pgid: number, signal: number): SyscallResult;
  /** The stat of one process (zombies included), or undefined when it is gone. */
  readStat(pid: number): ProcStat | undefined;
  /** The stats of every process that `keep` accepts. */
  scan(keep: (stat: ProcStat) => boolean): ProcStat[];
  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

export const realHost: PgroupHost = {
  procAvailable: existsSync('/proc/self/stat'),
  killpg,
  readStat: readProcStatSync,
  scan: scanProcesses,
  spawn: (file, args, options) => spawn(file, args, options),
};
