/**
 * This process as a child subreaper, and the reaping that comes with it.
 *
 * While at least one fallback group is open, prctl(PR_SET_CHILD_SUBREAPER)
 * is on: an orphan anywhere below this process (a double fork, a `setsid`
 * child whose parent exited) is re-parented to us instead of init, so the
 * tree walk still finds it. When the last group is released it is switched
 * off again, so an application that uses corral for a moment does not keep
 * adopting the orphans of its other children for the rest of its life;
 * unless the process was a subreaper before corral came (an init, a
 * supervisor): that setting is the application's, and stays.
 *
 * Adopted orphans are our children, and Node never waits on them: each one
 * that dies stays a zombie unless we reap it. Reaping the wrong child is
 * worse than a zombie: libuv waits only on the pids it spawned, and a status
 * taken from under it is lost for good (that ChildProcess never emits
 * 'exit', in the main thread or in a Worker alike). So we reap by exact pid,
 * only zombies we can prove libuv did not spawn.
 * - In the main thread (where the kernel hands every adopted orphan), from
 *   the first group on: every zombie child of the main thread that is not an
 *   unreaped ChildProcess of it and was not there before (the proof is in
 *   libuv-children.ts and zombies-to-reap.ts). SIGCHLD is listened to while
 *   the subreaper is on and while an adopted orphan is still alive, so one
 *   that dies after the subreaper went off is reaped too.
 * - In a Worker, whose channel sees only its own ChildProcesses: a process
 *   the tree walk saw as a member that is not one of our group leaders
 *   (members are forked by descendants, never by this process), noted with
 *   its start time; or a zombie child whose session is one of our live
 *   groups' sessions and which is not its leader (libuv's children keep our
 *   session or lead their own). There it runs at every walk and at release
 *   (Worker threads get no signal events).
 */
import { readFileSync } from 'node:fs';
import { childSubreaperIsOn, reapNoHang, setChildSubreaper } from '../../libc/libc.js';
import { readProcStatSync, type ProcStat } from '../../proc/stat.js';
import { LibuvChildren } from './libuv-children.js';
import { expireProcessTable } from './process-table.js';
import { zombiesToReap } from './zombies-to-reap.js';

let mainThread: boolean | undefined;
/** node:worker_threads on first use: a static import would load the Worker machinery into every `corral run`, cgroup or not. */
function isMainThread(): boolean {
  mainThread ??= process.getBuiltinModule('node:worker_threads').isMainThread;
  return mainThread;
}

/** Answers whether a zombie child of ours belongs to some live group (by its session). */
export type OrphanClaim = (zombie: ProcStat) => boolean;

export interface Subreaper {
  /** A fallback group starts using it: switched on with the first. */
  acquire(claim: OrphanClaim): void;
  /** That group is done: switched off with the last, unless it was on before corral (orphans already adopted stay ours, and are still reaped). */
  release(claim: OrphanClaim): void;
  /** A member the walk saw that libuv did not spawn: reap it once it is our zombie. */
  noteMember(pid: number, startTime: number): void;
  /**
   * A group leader this process spawned through child_process: libuv's to
   * reap, never ours. Held until libuv has reaped it (leaderExited), so
   * while a pid is held it cannot have been handed to another process.
   */
  noteLeader(pid: number, startTime: number): void;
  /** libuv reaped that leader (its 'exit' event, emitted in the same callback): the pid may be reused from now on. */
  leaderExited(pid: number): void;
  /** True for a leader libuv has not reaped yet, of any group of this process. */
  isLeader(pid: number): boolean;
  /** Forget noted members that no longer exist (`startTimes`: pid to start time of every process, from a full scan). */
  prune(startTimes: ReadonlyMap<number, number>): void;
  /** Reap every zombie child we may reap. */
  reap(): void;
  /** The same, after whatever else this event-loop turn has to do (a drain verdict first). */
  reapSoon(): void;
  /**
   * Call `listener` on every SIGCHLD (the reaping follows: reapSoon): a child of ours died,
   * so a tree may have drained. Undefined where no SIGCHLD event exists
   * (Worker threads) or while the subreaper is off.
   */
  onChild(listener: () => void): (() => void) | undefined;
  readonly on: boolean;
}

class ProcessSubreaper implements Subreaper {
  readonly #claims = new Set<OrphanClaim>();
  readonly #members = new Map<number, number>();
  readonly #leaders = new Map<number, number>();
  #on = false;
  /** corral switched the subreaper on (and so switches it off with the last group). */
  #switchedOn = false;
  #listening = false;
  #reapScheduled = false;
  /** The main thread's proof inputs, from the first group on (libuv-children.ts). */
  #exact: { libuv: LibuvChildren; before: Map<number, number> } | undefined;
  /** Adopted orphans of the main thread still alive at the last reaping: SIGCHLD stays heard until they are gone. */
  #unexplained = 0;
  readonly #childListeners = new Set<() => void>();
  readonly #onChild = () => {
    // A child died: the table shared this turn may show a drained tree alive.
    expireProcessTable();
    // The drain check a listener wakes needs no reaping (a zombie is not a
    // member): it goes first, and the reaping follows in this loop turn.
    for (const listener of [...this.#childListeners]) listener();
    this.reapSoon();
  };

  get on(): boolean {
    return this.#on;
  }

  acquire(claim: OrphanClaim): void {
    this.#claims.add(claim);
    if (this.#exact === undefined && isMainThread()) {
      // Subscribed and recorded in one synchronous step: no ChildProcess can be made in between.
      const libuv = new LibuvChildren();
      this.#exact = { libuv, before: new Map(mainThreadChildStats().map((stat) => [stat.pid, stat.startTime])) };
    }
    if (!this.#on) {
      // A process that is a subreaper already (an init, a supervisor
      // embedding corral) stays one: corral uses it and never switches it off.
      if (childSubreaperIsOn() === true) {
        this.#on = true;
        this.#switchedOn = false;
      } else if (setChildSubreaper(true).errno === undefined) {
        this.#on = true;
        this.#switchedOn = true;
      }
    }
    this.#listen();
  }

  release(claim: OrphanClaim): void {
    this.reap();
    this.#claims.delete(claim);
    if (this.#claims.size === 0 && this.#on) {
      if (this.#switchedOn) setChildSubreaper(false);
      this.#on = false;
      // Once more after the switch: an orphan adopted during the reap above is in the list now, and keeps SIGCHLD heard.
      if (this.#exact) this.reap();
    }
    this.#listen();
  }

  noteMember(pid: number, startTime: number): void {
    // The main thread reaps every zombie that is not libuv's: it needs no list.
    if (this.#exact === undefined && this.#leaders.get(pid) !== startTime) this.#members.set(pid, startTime);
  }

  noteLeader(pid: number, startTime: number): void {
    this.#leaders.set(pid, startTime);
    this.#members.delete(pid);
  }

  leaderExited(pid: number): void {
    this.#leaders.delete(pid);
  }

  isLeader(pid: number): boolean {
    return this.#leaders.has(pid);
  }

  prune(startTimes: ReadonlyMap<number, number>): void {
    for (const [pid, start] of this.#members) if (startTimes.get(pid) !== start) this.#members.delete(pid);
    this.#listen();
  }

  reap(): void {
    if (this.#exact) this.#reapExact(this.#exact);
    else this.#reapNoted();
    this.#listen();
  }

  #reapExact({ libuv, before }: { libuv: LibuvChildren; before: Map<number, number> }): void {
    const unreaped = libuv.unreaped();
    // libuv's own children need no read (a scheduler may hold hundreds of leaders).
    const children = mainThreadChildStats((pid) => !unreaped.has(pid));
    const { reap, unexplained } = zombiesToReap({ children, libuv: unreaped, before });
    for (const pid of reap) {
      reapNoHang(pid);
      this.#members.delete(pid);
    }
    this.#unexplained = unexplained;
    // Flat state: a child from before that is gone now is forgotten.
    if (before.size > 0) {
      const present = new Set(children.map((stat) => stat.pid));
      for (const pid of before.keys()) if (!present.has(pid)) before.delete(pid);
    }
  }

  #reapNoted(): void {
    for (const pid of threadChildren()) {
      // An unreaped leader's pid is still its own: no need to read it.
      if (this.#leaders.has(pid)) continue;
      const stat = readProcStatSync(pid);
      if (stat === undefined || stat.state !== 'Z') continue;
      const noted = this.#members.get(pid) === stat.startTime;
      if (!noted && !this.#claimed(stat)) continue;
      reapNoHang(pid);
      this.#members.delete(pid);
    }
  }

  /** Some open group claims this zombie (asked of each in turn, with no copy of the set: this runs for every zombie child). */
  #claimed(zombie: ProcStat): boolean {
    for (const claim of this.#claims) if (claim(zombie)) return true;
    return false;
  }

  reapSoon(): void {
    if (this.#reapScheduled) return;
    this.#reapScheduled = true;
    // Kept ref'd: one more turn of the loop, then the zombies are gone.
    setImmediate(() => {
      this.#reapScheduled = false;
      this.reap();
    });
  }

  onChild(listener: () => void): (() => void) | undefined {
    if (!isMainThread() || !this.#on) return undefined;
    this.#childListeners.add(listener);
    this.#listen();
    return () => {
      this.#childListeners.delete(listener);
      this.#listen();
    };
  }

  /** SIGCHLD is listened to while it can matter: the subreaper is on, adopted orphans may still die, or someone waits for a drain. */
  #listen(): void {
    const wanted =
      isMainThread() && (this.#on || this.#unexplained > 0 || this.#members.size > 0 || this.#childListeners.size > 0);
    if (wanted === this.#listening) return;
    this.#listening = wanted;
    if (wanted) process.on('SIGCHLD', this.#onChild);
    else process.off('SIGCHLD', this.#onChild);
  }
}

/**
 * The children of one thread of this process (the main thread by default),
 * zombies included, from /proc/<pid>/task/<tid>/children: the kernel hands
 * an adopted orphan to the subreaper's main thread, and a Worker's own
 * children sit under the Worker's tid.
 */
export function threadChildren(tid = process.pid): number[] {
  let words: string[];
  try {
    words = readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'latin1').split(' ');
  } catch {
    return [];
  }
  return words.filter((word) => word !== '').map(Number);
}

/** The stats of the main thread's children that `read` accepts (gone ones left out). */
function mainThreadChildStats(read: (pid: number) => boolean = () => true): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const pid of threadChildren()) {
    const stat = read(pid) ? readProcStatSync(pid) : undefined;
    if (stat) stats.push(stat);
  }
  return stats;
}

let shared: Subreaper | undefined;

/** The process-wide subreaper. */
export function processSubreaper(): Subreaper {
  shared ??= new ProcessSubreaper();
  return shared;
}
