/**
 * The fallback's process-wide runtime: the one owner of all that the groups
 * of one process share (docs/fallback.md, "Who owns what"), on one Clock. A
 * group joins it before its first spawn and leaves it when it lets go.
 * - The subreaper: on while a group has joined; off with the last group,
 *   unless the process was a subreaper before corral (its own choice).
 * - SIGCHLD, heard while it can matter: it invalidates the snapshot, wakes
 *   the drain watchers, and a reaping follows.
 * - Reaping, by exact pid, never a child of libuv's (its ChildProcess would
 *   never emit 'exit'). The main thread reaps every zombie child libuv did
 *   not spawn (zombies-to-reap.ts). A Worker, whose channel sees only its
 *   own ChildProcesses and which gets no signal events, reaps at each walk
 *   and leave what a walk saw as a member or a group claims by its session.
 * - The /proc snapshot, shared by every walk within one turn of the event
 *   loop until invalidate() (a spawn, a SIGCHLD); snapshotSince() gives a
 *   walk a table scanned after its own action.
 * - The census: one timer walks every joined group, so the guard hears of
 *   members that hide from its other checks.
 */
import type { ChildProcess } from 'node:child_process';
import { systemClock, type Clock, type Sleep } from '../../driver/clock.js';
import { childSubreaperIsOn, reapNoHang, setChildSubreaper } from '../../libc/libc.js';
import { threadChildren } from '../../proc/children.js';
import type { ProcStat } from '../../proc/stat.js';
import { markersIn } from './group-marker.js';
import { LibuvChildren } from './libuv-children.js';
import type { Membership } from './membership.js';
import { realHost, type PgroupHost } from './pgroup-host.js';
import { indexProcesses, type ProcessTable } from './process-table.js';
import { zombiesToReap } from './zombies-to-reap.js';

/** The shortest pause between census rounds: on a fast machine, how long a hidden member may go unseen. */
export const CENSUS_INTERVAL_MS = 1000;

/** After a census round that took d ms, the next waits at least this many times d. */
export const CENSUS_PAUSE_PER_ROUND = 9;

/** The pause after a census round that took `tookMs`. */
export function censusPause(tookMs: number, intervalMs = CENSUS_INTERVAL_MS): number {
  return Math.max(intervalMs, CENSUS_PAUSE_PER_ROUND * tookMs);
}

/** What the runtime asks of a group that joined it. */
export interface JoinedGroup {
  /** A zombie child of ours came from this group's sessions (the Worker path; one lookup, one stat read at most). */
  claims(zombie: ProcStat): boolean;
  /** Walk the tree and record what it saw: this group's share of a census round. */
  census(): void;
}

type RuntimeOptions = { clock?: Clock; host?: PgroupHost; adopts?: boolean };

let mainThread: boolean | undefined;
/** node:worker_threads on first use: a static import would load the Worker machinery into every `corral run`. */
function isMainThread(): boolean {
  mainThread ??= process.getBuiltinModule('node:worker_threads').isMainThread;
  return mainThread;
}

export class FallbackRuntime {
  readonly clock: Clock;
  readonly host: PgroupHost;
  readonly #adopts: boolean;
  readonly #joined = new Set<JoinedGroup>();
  /** Leaders libuv has not reaped yet, of every group: pid to start time. */
  readonly #leaders = new Map<number, number>();
  /** The Worker path: members some walk saw, pid to start time, reaped once they are our zombies. */
  readonly #notedMembers = new Map<number, number>();
  /** The main thread's proof inputs, from the first join on (libuv-children.ts). */
  #exact: { libuv: LibuvChildren; before: Map<number, number> } | undefined;
  /** Adopted orphans of the main thread alive at the last reaping: SIGCHLD stays heard until they are gone. */
  #unexplained = 0;
  #on = false;
  /** corral switched the subreaper on (and so switches it off with the last group). */
  #switchedOn = false;
  #listening = false;
  #reapScheduled = false;
  readonly #drainWatchers = new Set<() => void>();
  #table: ProcessTable | undefined;
  /** Changes noted so far, and how many had been when the shared table was scanned. */
  #changes = 0;
  #tableAfter = -1;
  #scans = 0;
  #censusSleep: Sleep | undefined;
  /** The markers of each orphan read since the snapshot was scanned: pid to markers. */
  readonly #markers = new Map<number, readonly string[]>();

  /** `adopts`: switch the subreaper on and reap (the real process); false for a runtime over a scripted host. */
  constructor({ clock = systemClock, host = realHost, adopts = true }: RuntimeOptions = {}) {
    this.clock = clock;
    this.host = host;
    this.#adopts = adopts;
  }

  /** A group starts: the subreaper goes on (before its first leader runs) and the census includes it. */
  join(group: JoinedGroup): void {
    this.#joined.add(group);
    if (this.#joined.size === 1) this.#scheduleCensus(CENSUS_INTERVAL_MS);
    if (!this.#adopts) return;
    if (this.#exact === undefined && isMainThread()) {
      // Subscribed and recorded in one synchronous step: no ChildProcess can be made in between.
      const libuv = new LibuvChildren();
      this.#exact = { libuv, before: new Map(this.#mainThreadChildren().map((stat) => [stat.pid, stat.startTime])) };
    }
    if (!this.#on) {
      this.#switchedOn = childSubreaperIsOn() !== true;
      this.#on = !this.#switchedOn || setChildSubreaper(true).errno === undefined;
    }
    this.#listen();
  }

  /** A group let go: its zombies are reaped, and the subreaper goes off with the last group (if corral put it on). */
  leave(group: JoinedGroup): void {
    // A Worker reaps only what a walk noted or a joined group claims: one last walk first.
    if (this.#adopts && this.#exact === undefined) group.census();
    this.reap();
    this.#joined.delete(group);
    if (this.#joined.size === 0) {
      this.#censusSleep?.cancel();
      this.#censusSleep = undefined;
      if (this.#on && this.#switchedOn) setChildSubreaper(false);
      this.#on = false;
      // Once more after the switch: an orphan adopted during the reaping above keeps SIGCHLD heard.
      if (this.#exact) this.reap();
      // A Worker reaps only at walks and leaves, and none will come: what is still noted would stay for good.
      else this.#notedMembers.clear();
    }
    this.#listen();
  }

  get subreaperOn(): boolean {
    return this.#on;
  }

  /** How many entries each process-wide record holds (flat over any number of finished groups). */
  records() {
    return {
      joined: this.#joined.size,
      leaders: this.#leaders.size,
      notedMembers: this.#notedMembers.size,
      libuvChildren: this.#exact?.libuv.size ?? 0,
      childrenFromBefore: this.#exact?.before.size ?? 0,
      drainWatchers: this.#drainWatchers.size,
    };
  }

  // The snapshot.

  /** How many /proc scans this runtime made (what the sharing saves is counted in tests). */
  get scans(): number {
    return this.#scans;
  }

  /** Note an action a later walk must see; the ticket to pass to snapshotSince(). */
  noteChange(): number {
    return ++this.#changes;
  }

  /** The shared table no longer tells the truth (a spawn of ours, a SIGCHLD). */
  invalidate(): void {
    this.#table = undefined;
    this.#markers.clear();
  }

  /** True while this turn's table is there: a walk on it costs no system call. */
  get hasSnapshot(): boolean {
    return this.#table !== undefined;
  }

  /** The table of this event-loop turn, scanned now if there is none. */
  snapshot(): ProcessTable {
    if (this.#table === undefined) {
      this.#tableAfter = this.#changes;
      this.#scans += 1;
      this.#table = indexProcesses(this.host.scan());
      // unref: a table nobody will read must not keep the process alive.
      setImmediate(() => this.invalidate()).unref();
    }
    return this.#table;
  }

  /** A table scanned after the change `ticket` was noted: the shared one if it is that recent. */
  snapshotSince(ticket: number): ProcessTable {
    if (this.#table !== undefined && this.#tableAfter >= ticket) return this.#table;
    this.invalidate();
    return this.snapshot();
  }

  /** A table scanned now, shared from here on. */
  freshSnapshot(): ProcessTable {
    return this.snapshotSince(this.noteChange());
  }

  /**
   * The group markers an orphan of ours carries, read once per snapshot whichever group asks (with 200 groups
   * closing, each asks of every other's orphans). A leader is not read: it carries its own group's.
   */
  markersOf(orphan: ProcStat): readonly string[] {
    if (this.#leaders.has(orphan.pid)) return [];
    let markers = this.#markers.get(orphan.pid);
    if (markers === undefined) {
      markers = markersIn(this.host.readEnviron(orphan.pid) ?? '');
      this.#markers.set(orphan.pid, markers);
    }
    return markers;
  }

  // Leaders, members and reaping.

  /**
   * A leader spawned through child_process: libuv's to reap, never ours. Held until its 'exit' (emitted in the
   * callback in which libuv reaped it): while it is held, its pid cannot name another process.
   */
  noteLeader(leader: ChildProcess & { pid: number }, startTime: number): void {
    if (!this.#adopts) return;
    const { pid } = leader;
    this.#leaders.set(pid, startTime);
    this.#notedMembers.delete(pid);
    leader.once('exit', () => this.#leaders.delete(pid));
  }

  /** True for a leader libuv has not reaped yet, of any group of this process. */
  isLeader(pid: number): boolean {
    return this.#leaders.has(pid);
  }

  /** What a walk found: in a Worker, its members are noted to be reaped; a dead one that is our child, soon. */
  noteMembers({ live, dead }: Membership): void {
    if (this.#exact === undefined && this.#adopts)
      for (const { pid, startTime } of [...live, ...dead])
        if (this.#leaders.get(pid) !== startTime) this.#notedMembers.set(pid, startTime);
    if (dead.some((member) => member.ppid === this.host.selfPid)) this.reapSoon();
  }

  /** Reap every zombie child we may reap. */
  reap(): void {
    if (!this.#adopts) return;
    if (this.#exact) this.#reapExact(this.#exact);
    else this.#reapNoted();
    this.#listen();
  }

  /** The same, after whatever else this event-loop turn has to do (a drain verdict first). */
  reapSoon(): void {
    if (this.#reapScheduled || !this.#adopts) return;
    this.#reapScheduled = true;
    // Kept ref'd: one more turn of the loop, then the zombies are gone.
    setImmediate(() => {
      this.#reapScheduled = false;
      this.reap();
    });
  }

  #reapExact({ libuv, before }: { libuv: LibuvChildren; before: Map<number, number> }): void {
    const unreaped = libuv.unreaped();
    // libuv's own children need no read (a scheduler may hold hundreds of leaders).
    const children = this.#mainThreadChildren((pid) => !unreaped.has(pid));
    const { reap, unexplained } = zombiesToReap({ children, libuv: unreaped, before });
    for (const pid of reap) reapNoHang(pid);
    this.#unexplained = unexplained;
    // Flat state: a child from before that is gone now is forgotten.
    if (before.size === 0) return;
    const present = new Set(children.map((stat) => stat.pid));
    for (const pid of before.keys()) if (!present.has(pid) && !unreaped.has(pid)) before.delete(pid);
  }

  #reapNoted(): void {
    const present = new Set<number>();
    for (const pid of threadChildren()) {
      present.add(pid);
      // An unreaped leader's pid is still its own: no need to read it.
      if (this.#leaders.has(pid)) continue;
      const stat = this.host.readStat(pid);
      if (stat === undefined || stat.state !== 'Z') continue;
      if (this.#notedMembers.get(pid) !== stat.startTime && !this.#claimed(stat)) continue;
      reapNoHang(pid);
      present.delete(pid);
    }
    // A noted member is forgotten once it is gone: reaped (here or by its parent), or its pid another process's.
    for (const [pid, startTime] of this.#notedMembers)
      if (!present.has(pid) && this.host.readStat(pid)?.startTime !== startTime) this.#notedMembers.delete(pid);
  }

  /** Some joined group claims this zombie (asked of each in turn: this runs for every zombie child). */
  #claimed(zombie: ProcStat): boolean {
    for (const group of this.#joined) if (group.claims(zombie)) return true;
    return false;
  }

  #mainThreadChildren(read: (pid: number) => boolean = () => true): ProcStat[] {
    const stats: ProcStat[] = [];
    for (const pid of threadChildren()) {
      const stat = read(pid) ? this.host.readStat(pid) : undefined;
      if (stat) stats.push(stat);
    }
    return stats;
  }

  // SIGCHLD.

  /** Call `listener` on every SIGCHLD (a tree may have drained); undefined in a Worker or while the subreaper is off. */
  watchChildren(listener: () => void): (() => void) | undefined {
    if (!isMainThread() || !this.#on) return undefined;
    this.#drainWatchers.add(listener);
    this.#listen();
    return () => {
      this.#drainWatchers.delete(listener);
      this.#listen();
    };
  }

  readonly #onChild = () => {
    // A child died: the table shared this turn may show a drained tree alive.
    this.invalidate();
    // The drain check a watcher wakes needs no reaping (a zombie is not a member): it goes first.
    for (const listener of [...this.#drainWatchers]) listener();
    this.reapSoon();
  };

  #listen(): void {
    const wanted =
      this.#adopts &&
      isMainThread() &&
      (this.#on || this.#unexplained > 0 || this.#notedMembers.size > 0 || this.#drainWatchers.size > 0);
    if (wanted === this.#listening) return;
    this.#listening = wanted;
    if (wanted) process.on('SIGCHLD', this.#onChild);
    else process.off('SIGCHLD', this.#onChild);
  }

  // The census.

  #scheduleCensus(ms: number): void {
    const sleep = this.clock.sleep(ms, { background: true });
    this.#censusSleep = sleep;
    void sleep.promise.then(() => {
      if (this.#censusSleep === sleep) this.#takeCensus();
    });
  }

  #takeCensus(): void {
    this.#censusSleep = undefined;
    const started = this.clock.now();
    try {
      // A copy: a group may leave, or another join, during the round.
      for (const group of [...this.#joined]) group.census();
    } finally {
      if (this.#joined.size > 0 && this.#censusSleep === undefined)
        this.#scheduleCensus(censusPause(this.clock.now() - started));
    }
  }
}

let shared: FallbackRuntime | undefined;

/** The runtime of this process, on the system clock. */
export function processRuntime(): FallbackRuntime {
  shared ??= new FallbackRuntime();
  return shared;
}
