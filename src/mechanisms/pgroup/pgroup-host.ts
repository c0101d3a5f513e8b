/**
 * Everything the process-group mechanism asks of the host, behind one seam:
 * killpg(2), the /proc reader, pinned signals, the environment marker
 * check, the subreaper and child_process.spawn. The real host is the
 * default; tests hand in a fake to replay races that a real machine will not
 * produce on demand (a leader pid recycled by a stranger).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { killpg, type SyscallResult } from '../../libc/libc.js';
import { readProcStatSync, type ProcStat } from '../../proc/stat.js';
import { environHas } from './group-marker.js';
import { pinProcess, type PinnedProcess } from './pinned-process.js';
import {
  expireProcessTable,
  noteChange,
  processTableSince,
  sharedProcessTable,
  type ProcessTable,
} from './process-table.js';
import { processSubreaper, type Subreaper } from './subreaper.js';

export interface PgroupHost {
  /** This process: the parent of our leaders and of every orphan the subreaper adopts. */
  readonly selfPid: number;
  killpg(pgid: number, signal: number): SyscallResult;
  /** The stat of one process (zombies included), or undefined when it is gone. */
  readStat(pid: number): ProcStat | undefined;
  /**
   * Every process, indexed: without `since`, possibly the table another
   * group scanned earlier in this event-loop turn; with it, a table scanned
   * after that change was noted (see process-table.ts for when sharing is
   * sound).
   */
  processTable(since?: number): ProcessTable;
  /** Note an action a later walk must see; the ticket to pass as `since`. */
  noteChange(): number;
  /** Hold one process by identity (pid + start time) for signalling; undefined when it is gone. */
  pin(pid: number, startTime: number): PinnedProcess | undefined;
  /** True when the process's environment holds exactly `entry` (NAME=value). */
  environHas(pid: number, entry: string): boolean;
  /** The child subreaper (a scripted host may have none). */
  readonly subreaper: Subreaper | undefined;
  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

export const realHost: PgroupHost = {
  selfPid: process.pid,
  killpg,
  readStat: readProcStatSync,
  processTable: (since) => (since === undefined ? sharedProcessTable() : processTableSince(since)),
  noteChange,
  pin: pinProcess,
  environHas,
  subreaper: processSubreaper(),
  spawn: (file, args, options) => {
    const child = spawn(file, args, options);
    // The shared table does not hold the new leader.
    expireProcessTable();
    return child;
  },
};
