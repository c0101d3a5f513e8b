/**
 * What the process-group mechanism asks of the host, behind one seam:
 * killpg(2), the /proc reader, pinned signals, the environment marker check
 * and child_process.spawn. The real host is the default; tests hand in a
 * scripted one to replay races a real machine will not produce on demand
 * (a leader pid recycled by a stranger).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { killpg, type SyscallResult } from '../../libc/libc.js';
import { readProcStatSync, scanProcesses, type ProcStat } from '../../proc/stat.js';
import { environHas } from './group-marker.js';
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
  /** True when the process's environment holds exactly `entry` (NAME=value). */
  environHas(pid: number, entry: string): boolean;
  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

export const realHost: PgroupHost = {
  selfPid: process.pid,
  killpg,
  readStat: readProcStatSync,
  scan: () => scanProcesses(() => true),
  pin: pinProcess,
  environHas,
  spawn,
};
