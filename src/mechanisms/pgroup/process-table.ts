/**
 * One /proc snapshot, indexed once for every group's membership walk
 * (membership.ts), so a walk costs its own tree, not every process of the
 * host. Who scans it and how long it is shared: fallback-runtime.ts.
 */
import type { ProcStat } from '../../proc/stat.js';

export interface ProcessTable {
  /** Every process, zombies included. */
  readonly all: readonly ProcStat[];
  readonly byPid: ReadonlyMap<number, ProcStat>;
  /** The processes of each parent pid. */
  readonly children: ReadonlyMap<number, readonly ProcStat[]>;
  /** The processes of each process group. */
  readonly byPgid: ReadonlyMap<number, readonly ProcStat[]>;
}

export function indexProcesses(all: readonly ProcStat[]): ProcessTable {
  const byPid = new Map<number, ProcStat>();
  const children = new Map<number, ProcStat[]>();
  const byPgid = new Map<number, ProcStat[]>();
  const add = (index: Map<number, ProcStat[]>, key: number, stat: ProcStat) => {
    const list = index.get(key);
    if (list) list.push(stat);
    else index.set(key, [stat]);
  };
  for (const stat of all) {
    byPid.set(stat.pid, stat);
    add(children, stat.ppid, stat);
    add(byPgid, stat.pgid, stat);
  }
  return { all, byPid, children, byPgid };
}
