/**
 * One /proc snapshot, indexed for the membership walk (membership.ts). Who
 * scans it and how long it is shared: fallback-runtime.ts.
 */
import type { ProcStat } from '../../proc/stat.js';

export interface ProcessTable {
  /** Every process, zombies included. */
  readonly all: readonly ProcStat[];
  /** The processes of each parent pid. */
  readonly children: ReadonlyMap<number, readonly ProcStat[]>;
  /** pid to start time of every process. */
  readonly startTimes: ReadonlyMap<number, number>;
}

export function indexProcesses(all: readonly ProcStat[]): ProcessTable {
  const children = new Map<number, ProcStat[]>();
  const startTimes = new Map<number, number>();
  for (const stat of all) {
    startTimes.set(stat.pid, stat.startTime);
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  return { all, children, startTimes };
}
