/**
 * One /proc scan, indexed for the tree walk, and shared by every fallback
 * group of this process while it can still be trusted.
 *
 * Each open group walks its tree on its own: its census every second, every
 * drain poll, every graceful signal. A scheduler with 200 groups open would
 * scan /proc 200 times where one scan says the same, and on a slow machine
 * those scans alone can fill the event loop. So a table is kept and handed
 * to every walk until one of these makes it stale:
 * - the event loop moves on (it lives until the next check phase, so every
 *   timer and I/O callback of one turn shares it);
 * - this process spawns a leader (the table would not hold it);
 * - SIGCHLD arrives (a child of ours died: the drain it may end must be seen);
 * - a caller needs what happened after its own action (the hard kill walks
 *   after its SIGSTOP), or asks for "now" (members(), stats()): it takes a
 *   fresh table, which the others then share.
 * A table a few milliseconds old is only an earlier sample: a tree it shows
 * drained stays drained (nothing outside a tree forks into it, and our own
 * spawns expire the table), and what it shows alive is checked again by the
 * next poll.
 */
import { scanProcesses, type ProcStat } from '../../proc/stat.js';

export interface ProcessTable {
  /** Every process, zombies included. */
  readonly all: readonly ProcStat[];
  /** The processes of each parent pid. */
  readonly children: ReadonlyMap<number, readonly ProcStat[]>;
  /** pid to start time of every process. */
  readonly alive: ReadonlyMap<number, number>;
}

export function indexProcesses(all: readonly ProcStat[]): ProcessTable {
  const children = new Map<number, ProcStat[]>();
  const alive = new Map<number, number>();
  for (const stat of all) {
    alive.set(stat.pid, stat.startTime);
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  return { all, children, alive };
}

let shared: ProcessTable | undefined;

/** The table of this event-loop turn, scanned now if there is none. */
export function sharedProcessTable(): ProcessTable {
  if (shared === undefined) {
    shared = indexProcesses(scanProcesses(() => true));
    // unref: a table nobody will read must not keep the process alive.
    setImmediate(expireProcessTable).unref();
  }
  return shared;
}

/** A table scanned now, shared from here on. */
export function freshProcessTable(): ProcessTable {
  expireProcessTable();
  return sharedProcessTable();
}

/** The shared table no longer tells the truth (a spawn, a SIGCHLD). */
export function expireProcessTable(): void {
  shared = undefined;
}
