/**
 * What the process-group mechanism asks of the host, behind one seam:
 * killpg(2), the /proc reader, pinned signals, the environment reader and
 * child_process.spawn. The real host is the default; tests hand in a
 * scripted one to replay races a real machine will not produce on demand
 * (a leader pid recycled by a stranger).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { SyscallResult } from '../../libc/libc.js';
import { readEnvironSync } from '../../proc/read-proc-file.js';
import { readProcStatSync, scanProcesses, type ProcStat } from '../../proc/stat.js';
import { pinProcess, type PinnedProcess } from './pinned-process.js';

export interface PgroupHost {
  /** This process: the parent of our leaders and of every orphan the subreaper adopts. */
  readonly selfPid: number;
  killpg(pgid: number, signal: number): SyscallResult;
  /** The stat of one process (zombies included), or undefined when it is gone. */
  readStat(pid: number): ProcStat | undefined;
  /** Every process now, zombies included. */
  scan(): ProcStat[];
  /** Hold one process by identity (pid + start time) for signalling; undefined when it is gone. */
  pin(pid: number, startTime: number): PinnedProcess | undefined;
  /** The raw environ of `pid` (NUL-separated), or undefined when it cannot be read (gone, another user's). */
  readEnviron(pid: number): string | undefined;
  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

/**
 * killpg(2) is kill(2) of -pgid: Node's own process.kill, with no FFI call
 * (which costs ten times as much, and a hard kill makes two per group). A
 * pgid below 2 is refused: kill(-1) would reach every process we may signal.
 */
function killpg(pgid: number, signal: number): SyscallResult {
  if (!(pgid > 1)) return { value: -1, errno: 'EINVAL' };
  try {
    process.kill(-pgid, signal);
    return { value: 0, errno: undefined };
  } catch (error) {
    return { value: -1, errno: (error as NodeJS.ErrnoException).code ?? 'EINVAL' };
  }
}

export const realHost: PgroupHost = {
  selfPid: process.pid,
  killpg,
  readStat: readProcStatSync,
  scan: () => scanProcesses(() => true),
  pin: pinProcess,
  readEnviron: readEnvironSync,
  spawn,
};
