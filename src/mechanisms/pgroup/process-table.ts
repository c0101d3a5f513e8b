/**
 * One /proc scan, indexed for the tree walk, and shared by every fallback
 * group of this process while it can still be trusted.
 *
 * Each open group walks its tree on its own: its census (every second, less
 * often on a slow machine), every drain poll, every graceful signal. A
 * scheduler with 200 groups open would scan /proc 200 times where one scan
 * says the same, and on a slow machine those scans alone can fill the
 * event loop. So a table is kept and handed to every walk until one of
 * these makes it stale:
 * - the event loop moves on (it lives until the next check phase, so every
 *   timer and I/O callback of one turn shares it);
 * - this process spawns a leader (the table would not hold it);
 * - SIGCHLD arrives (a child of ours died: the drain it may end must be seen);
 * - a caller needs what happened after its own action (the hard kill walks
 *   after its SIGSTOP): it notes a change, and only a table scanned after
 *   that will do (one scan still serves every hard kill that stopped its
 *   groups before it); or it asks for "now" (members(), stats()) and gets a
 *   fresh table, which the others then share.
 * A table a few milliseconds old is only an earlier sample: a tree it shows
 * drained stays drained (nothing outside a tree forks into it, and our own
 * spawns expire the table), and what it shows alive is checked again by the
 * next poll. A turn can last long on a loaded machine (one walk of a
 * 1000-process tree in the TCG guest takes a second), so a table can be that
 * old too: where "still alive" would be a verdict, at a drain deadline, the
 * driver takes a direct look first (members(), a fresh scan; see
 * driver/wait-for-drain.ts).
 */
import { scanProcesses, type ProcStat } from '../../proc/stat.js';

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

let shared: ProcessTable | undefined;
/** Changes noted so far, and how many had been when the shared table was scanned. */
let changes = 0;
let sharedAfter = -1;
let scans = 0;

/** How many /proc scans this process has made for the fallback (what the sharing saves is counted in tests). */
export function scansMade(): number {
  return scans;
}

/**
 * Note an action whose effect a later walk must see (the hard kill's
 * SIGSTOP): the ticket returned is what processTableSince() needs.
 */
export function noteChange(): number {
  changes += 1;
  return changes;
}

/** The table of this event-loop turn, scanned now if there is none. */
export function sharedProcessTable(): ProcessTable {
  if (shared === undefined) {
    sharedAfter = changes;
    scans += 1;
    shared = indexProcesses(scanProcesses(() => true));
    // unref: a table nobody will read must not keep the process alive.
    setImmediate(expireProcessTable).unref();
  }
  return shared;
}

/**
 * A table scanned after the change `ticket` was noted: the shared one if it
 * is that recent, else one scanned now. So hard kills started together (a
 * scheduler closing many groups at once) each stop their groups, and then
 * the first walk's scan serves them all.
 */
export function processTableSince(ticket: number): ProcessTable {
  if (shared !== undefined && sharedAfter >= ticket) return shared;
  expireProcessTable();
  return sharedProcessTable();
}

/** A table scanned now, shared from here on. */
export function freshProcessTable(): ProcessTable {
  return processTableSince(noteChange());
}

/** The shared table no longer tells the truth (a spawn, a SIGCHLD). */
export function expireProcessTable(): void {
  shared = undefined;
}
