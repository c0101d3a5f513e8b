/**
 * The fallback where cgroup v2 is not usable (docs/fallback.md): every
 * spawned child leads a process group and session of its own and carries
 * the group's environment marker; while the group is open this process is a
 * child subreaper, so orphans of the tree stay findable. The members are
 * whatever the walk finds (membership.ts). There is no change notification
 * but SIGCHLD, so the driver polls isDrained() as well.
 *
 * Actions (spawn, signals, the hard kill, the census round) walk the tree
 * and record what they saw in #walk, the one place that applies a walk's
 * effects; queries (members, isDrained, stats, guardRecords) only read.
 *
 * The folder: this file (one group); fallback-runtime.ts (all that is
 * process-wide); membership.ts over process-table.ts (who is a member);
 * group-registry.ts (the process groups, and which are ours); group-marker.ts;
 * signal-members.ts and pinned-process.ts (signals); hard-kill.ts;
 * zombies-to-reap.ts and libuv-children.ts (the proof behind exact reaping);
 * pgroup-host.ts (the system calls, one seam); clock-ticks.ts (CPU time units).
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { systemClock, type Clock } from '../../driver/clock.js';
import { hardKillAndWait } from '../../driver/graceful.js';
import type { SignalOptions } from '../../driver/target.js';
import { undeliveredSignal } from '../../errors.js';
import type { GuardRecord } from '../../guard/record.js';
import type { SignalName } from '../../options/signals.js';
import type { ProcStat } from '../../proc/stat.js';
import type { Containment, GroupStats } from '../containment.js';
import { clockTicksPerSecond } from './clock-ticks.js';
import { processRuntime, type FallbackRuntime, type JoinedGroup } from './fallback-runtime.js';
import { GroupRegistry, isLiveStat } from './group-registry.js';
import { MARKER_VARIABLE, newGroupMarker } from './group-marker.js';
import { killStoppedTree, stopGroups, type KillTarget } from './hard-kill.js';
import { membership, type Membership } from './membership.js';
import type { PgroupHost } from './pgroup-host.js';
import { signalMembers } from './signal-members.js';

/** `runtime`: the process's own by default; tests hand in one over a scripted host and clock. */
export function createPgroupContainment(clock = systemClock, runtime = processRuntime()): PgroupContainment {
  return new PgroupContainment(clock, runtime);
}

/** How many members the last walk saw the drain check reads, at most, before it scans instead. */
const SEEN_READS_BEFORE_SCAN = 8;

/** Which table a walk reads: this turn's shared one, one scanned now, or one scanned after a noted change. */
type When = 'shared' | 'now' | number;

export class PgroupContainment implements Containment, JoinedGroup {
  readonly mechanism = 'pgroup' as const;
  readonly clock: Clock;
  readonly #runtime: FallbackRuntime;
  readonly #host: PgroupHost;
  readonly #registry: GroupRegistry;
  readonly #marker = newGroupMarker();
  /** Members the last recorded walk saw alive: pid to start time. */
  #seen: ReadonlyMap<number, number> = new Map();
  /** Joined the runtime (from the first spawn until the group is let go). */
  #joined = false;
  /** Told when guardRecords() changed: a census round walked, or a leader is about to be forked. */
  #recordsListener: (() => void) | undefined;
  /** True while spawn() forks a leader: the marker record is offered even before the group has one. */
  #spawning = false;
  /** The last hard kill stopped every member before killing it, and nothing was spawned since (see isDrained). */
  #killedWhole = false;
  readonly #killTarget: KillTarget;

  constructor(clock: Clock, runtime: FallbackRuntime) {
    this.clock = clock;
    this.#runtime = runtime;
    this.#host = runtime.host;
    this.#registry = new GroupRegistry(runtime.host);
    this.#killTarget = { registry: this.#registry, runtime, walk: (since) => this.#walk(since) };
  }

  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    // Joined before the first leader runs: an orphan made in its first instant must already come to us.
    if (!this.#joined) this.#runtime.join(this);
    this.#joined = true;
    // The guard learns the marker before the fork, not after: this process
    // can be SIGKILLed the instant the leader runs (even by the leader), and
    // a tree whose marker the guard never heard of would outlive us. The
    // leader's pgroup record follows once it has a pid.
    this.#spawning = true;
    this.#killedWhole = false;
    try {
      this.#recordsListener?.();
      // detached: the child calls setsid() between fork and exec, so it heads a new session and process group
      // before it runs a single instruction of `file` (a caller's `detached: false` cannot be honoured here).
      const env = { ...(options.env ?? process.env), [MARKER_VARIABLE]: this.#marker };
      const child = this.#host.spawn(file, args, { ...options, detached: true, env });
      // The shared snapshot does not hold the new leader. A child that never got a pid (ENOENT...) is not tracked.
      this.#runtime.invalidate();
      const { pid } = child;
      if (pid !== undefined)
        this.#runtime.noteLeader(child as ChildProcess & { pid: number }, this.#registry.track(pid).leaderStartTime);
      return child;
    } finally {
      this.#spawning = false;
    }
  }

  async signal(signal: SignalName, { thenContinue = false }: SignalOptions = {}): Promise<number> {
    const { reached, failures } = signalMembers(this.#registry, this.#walk('shared'), signal, thenContinue);
    const failure = undeliveredSignal('ESIGNAL_FAILED', signal, failures);
    if (failure) throw failure;
    return reached;
  }

  async isDrained(): Promise<boolean> {
    // This turn's table, where there is one, answers without a system call (many groups draining at once).
    if (this.#runtime.hasSnapshot) return this.#membership('shared').live.length === 0;
    // A live leader, or a member the last walk saw still alive, answers "not drained" from stat reads, without a scan.
    const alive = (pid: number, startTime: number) => isLiveStat(this.#host.readStat(pid), startTime);
    if (this.#registry.tracked().some((group) => alive(group.pgid, group.leaderStartTime))) return false;
    let looked = 0;
    for (const [pid, startTime] of this.#seen) {
      if (alive(pid, startTime)) return false;
      // A tree that died is proven so by the scan: reading every member before it would double its cost.
      if (++looked === SEEN_READS_BEFORE_SCAN && !this.#killedWhole) break;
    }
    // After a whole hard kill the tree is what its last walk saw: nothing could fork after it, and it is all dead.
    return this.#killedWhole || this.#membership('shared').live.length === 0;
  }

  /**
   * The last member of a tree to die has a parent outside it: this process (a leader, or an adopted orphan). So its
   * death raises SIGCHLD here and wakes a drain wait (the driver still polls now and then, as a safety net).
   */
  watch(onChange: () => void): (() => void) | undefined {
    return this.#joined ? this.#runtime.watchChildren(onChange) : undefined;
  }

  async hardKill(): Promise<void> {
    const stopped = stopGroups(this.#killTarget);
    // The other hard kills begun in the same breath (a scheduler closing 200 groups at once) stop their groups too:
    // one /proc scan made after all those stops serves all their first walks, instead of one scan each.
    await Promise.resolve();
    const { failures, whole } = killStoppedTree(this.#killTarget, stopped);
    this.#killedWhole = whole;
    const failure = undeliveredSignal('EKILL_FAILED', 'SIGKILL', failures);
    if (failure) throw failure;
  }

  killSync(): void {
    // Everything the hard kill does is synchronous already.
    this.#killedWhole = killStoppedTree(this.#killTarget, stopGroups(this.#killTarget)).whole;
  }

  async members(): Promise<number[]> {
    return this.#membership('now').live.map((stat) => stat.pid);
  }

  async suspend(): Promise<void> {
    await this.signal('SIGSTOP');
  }

  async resume(): Promise<void> {
    await this.signal('SIGCONT');
  }

  /** Live members only: the CPU time of members that already exited is gone with them. */
  async stats(): Promise<GroupStats> {
    const live = this.#membership('now').live;
    const stats: GroupStats = { processes: live.length };
    const ticksPerSecond = clockTicksPerSecond();
    if (ticksPerSecond !== undefined)
      stats.cpuUsageMs = (live.reduce((sum, stat) => sum + stat.cpuTicks, 0) * 1000) / ticksPerSecond;
    return stats;
  }

  /** The run's stats: no CPU figure, as it would count live members only (at the end of a run, a wrong 0). */
  async finalStats(): Promise<GroupStats> {
    return { processes: (await this.stats()).processes };
  }

  /** Kill and wait for the drain; then there is nothing to remove but our records (see #letGo). */
  async tearDown(killTimeout: number): Promise<void> {
    await hardKillAndWait(this, killTimeout, this.clock);
    this.#letGo();
  }

  /** Forget the groups: they simply keep running (see #letGo). */
  async spare(): Promise<void> {
    this.#letGo();
  }

  /** Forget the groups and leave the runtime (which reaps the tree's zombies): the one way a group is let go. */
  #letGo(): void {
    if (this.#joined) this.#runtime.leave(this);
    this.#joined = false;
    this.#registry.forgetAll();
    this.#seen = new Map();
  }

  guardRecords(): GuardRecord[] {
    // Groups seen empty need no guarding: their pgid may be anyone's next.
    const groups = this.#registry.occupied();
    const records: GuardRecord[] = groups.map(({ pgid, leaderStartTime }) => ({
      kind: 'pgroup',
      pgid,
      leaderStartTime,
    }));
    if (groups.length === 0 && this.#seen.size === 0 && !this.#spawning) return records;
    records.push({ kind: 'marker', marker: this.#marker });
    // Members outside our process groups, seen by the last walk: those without the marker can be found no other way.
    const pgids = new Set(groups.map((group) => group.pgid));
    for (const [pid, startTime] of this.#seen) {
      // A zombie needs no guarding: it is dead, and its pid cannot be reused until it is reaped.
      const stat = this.#host.readStat(pid);
      if (stat && isLiveStat(stat, startTime) && !pgids.has(stat.pgid))
        records.push({ kind: 'process', pid, startTime });
    }
    return records;
  }

  watchGuardRecords(onChange: () => void): () => void {
    this.#recordsListener = onChange;
    return () => {
      if (this.#recordsListener === onChange) this.#recordsListener = undefined;
    };
  }

  /** Its share of a census round: walk (emptied groups still root their sessions), prune, tell the guard. */
  census(): void {
    this.#walk('shared');
    this.#registry.prune();
    this.#recordsListener?.();
  }

  /**
   * A zombie child of ours in one of the group's sessions (and not a
   * leader) came from the group: the runtime may reap it even unseen.
   */
  claims(zombie: ProcStat): boolean {
    const group = this.#registry.sessionGroup(zombie.sid);
    return zombie.sid !== zombie.pid && group !== undefined && zombie.startTime >= group.leaderStartTime;
  }

  /** Walk and record: the one place that applies a walk's effects (what was seen, the runtime's notes). */
  #walk(when: When): ProcStat[] {
    const found = this.#membership(when);
    this.#seen = new Map(found.live.map((stat) => [stat.pid, stat.startTime]));
    this.#runtime.noteMembers(found);
    return found.live;
  }

  #membership(when: When): Membership {
    const groups = this.#registry.tracked();
    if (groups.length === 0 && this.#seen.size === 0) return { live: [], dead: [] };
    const runtime = this.#runtime;
    const table =
      when === 'shared' ? runtime.snapshot() : when === 'now' ? runtime.freshSnapshot() : runtime.snapshotSince(when);
    return membership({
      table,
      groups,
      seen: this.#seen,
      selfPid: this.#host.selfPid,
      carriesMarker: this.#carriesMarker,
    });
  }

  readonly #carriesMarker = (orphan: ProcStat) => this.#runtime.markersOf(orphan).includes(this.#marker);
}
