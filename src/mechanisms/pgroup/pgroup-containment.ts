/**
 * The fallback where cgroup v2 is not usable: process groups, a child
 * subreaper and a /proc tree walk. Every spawned child leads a process group
 * and session of its own and carries the group's environment marker; while
 * the group is open this process is a child subreaper, so orphans of the
 * tree are re-parented to us and stay findable. The members are whatever the
 * walk finds (tree-walk.ts): `setsid`, `setpgid` and double-forked
 * descendants included. Signals go to each member pinned by pidfd; the hard
 * kill stops the tree before it kills it (hard-kill.ts). There is no change
 * notification, so the driver polls isDrained().
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { systemClock, type Clock } from '../../driver/clock.js';
import { hardKillAndWait } from '../../driver/graceful.js';
import type { Containment, GroupStats } from '../containment.js';
import type { GuardRecord } from '../../guard/record.js';
import type { SignalOptions } from '../../driver/target.js';
import type { SignalName } from '../../options/signals.js';
import type { ProcStat } from '../../proc/stat.js';
import { joinCensus } from './census.js';
import { clockTicksPerSecond } from './clock-ticks.js';
import { GroupRegistry } from './group-registry.js';
import { markerEntry, newGroupMarker } from './group-marker.js';
import { stopThenKill, stopThenKillTogether } from './hard-kill.js';
import { realHost, type PgroupHost } from './pgroup-host.js';
import { memberError, signalMembers } from './signal-members.js';
import { spawnLeader } from './spawn-leader.js';
import { TreeWalk } from './tree-walk.js';
import { isLiveStat } from './tracked-group.js';

export function createPgroupContainment(clock: Clock = systemClock, host: PgroupHost = realHost): Containment {
  return new PgroupContainment(clock, host);
}

class PgroupContainment implements Containment {
  readonly mechanism = 'pgroup' as const;
  readonly #clock: Clock;
  readonly #host: PgroupHost;
  readonly #registry: GroupRegistry;
  readonly #marker = newGroupMarker();
  readonly #walk: TreeWalk;
  readonly #claim = (zombie: ProcStat) => this.#walk.claims(zombie);
  #adopting = false;
  #leaveCensus: (() => void) | undefined;
  /** Told when guardRecords() changed: a census round found members, or a leader is about to be forked. */
  #recordsListener: (() => void) | undefined;
  /** True while spawn() forks a leader: the marker record is offered even before the group has one. */
  #spawning = false;

  constructor(clock: Clock, host: PgroupHost) {
    this.#clock = clock;
    this.#host = host;
    this.#registry = new GroupRegistry(host);
    this.#walk = new TreeWalk(host, this.#registry, markerEntry(this.#marker));
  }

  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    // On before the first leader runs: an orphan made in its first instant must already come to us.
    if (!this.#adopting && this.#host.subreaper) {
      this.#host.subreaper.acquire(this.#claim);
      this.#adopting = true;
    }
    // The guard learns the marker before the fork, not after: this process
    // can be SIGKILLed the instant the leader runs (even by the leader), and
    // a tree whose marker the guard never heard of would outlive us. The
    // leader's pgroup record follows once it has a pid.
    this.#spawning = true;
    let child: ChildProcess;
    try {
      this.#recordsListener?.();
      child = spawnLeader(this.#registry, this.#host, this.#marker, file, args, options);
    } finally {
      this.#spawning = false;
    }
    this.#startCensus();
    return child;
  }

  async signal(signal: SignalName, { thenContinue = false }: SignalOptions = {}): Promise<number> {
    const { reached, failures } = signalMembers(this.#host, this.#registry, this.#walk.members(), signal, thenContinue);
    const failure = memberError('ESIGNAL_FAILED', signal, failures);
    if (failure) throw failure;
    return reached;
  }

  async isDrained(): Promise<boolean> {
    // A live leader answers "not drained" from one stat read, without the scan.
    if (this.#registry.groups().some((group) => isLiveStat(this.#host.readStat(group.pgid), group.leaderStartTime)))
      return false;
    // So does a member the last walk saw, still alive.
    if (this.#walk.anySeenAlive()) return false;
    return this.#walk.members().length === 0;
  }

  /**
   * The last member of a tree to die has a parent that is not a member:
   * this process (a leader, or an orphan the subreaper adopted). So its
   * death raises SIGCHLD here, and a drain wait can be woken by it instead
   * of polling (the driver still polls now and then, as a safety net).
   */
  watch(onChange: () => void): (() => void) | undefined {
    return this.#adopting ? this.#host.subreaper?.onChild(onChange) : undefined;
  }

  async hardKill(): Promise<void> {
    const failure = memberError(
      'EKILL_FAILED',
      'SIGKILL',
      await stopThenKillTogether(this.#walk, this.#registry, this.#host),
    );
    if (failure) throw failure;
  }

  async members(): Promise<number[]> {
    return this.#liveMembers().map((stat) => stat.pid);
  }

  async suspend(): Promise<void> {
    await this.signal('SIGSTOP');
  }

  async resume(): Promise<void> {
    await this.signal('SIGCONT');
  }

  /** Live members only: the CPU time of members that already exited is gone with them. */
  async stats(): Promise<GroupStats> {
    const live = this.#liveMembers();
    const stats: GroupStats = { processes: live.length };
    const ticksPerSecond = clockTicksPerSecond();
    if (ticksPerSecond !== undefined) {
      const ticks = live.reduce((sum, stat) => sum + stat.cpuTicks, 0);
      stats.cpuUsageMs = (ticks * 1000) / ticksPerSecond;
    }
    return stats;
  }

  /** The CPU time of members that already exited is gone with them: no CPU figure for the whole run. */
  async finalStats(): Promise<GroupStats> {
    const { cpuUsageMs: _liveOnly, ...stats } = await this.stats();
    return stats;
  }

  /** Kill and wait for the drain; then there is nothing to remove but our records (see #letGo). */
  async tearDown(killTimeout: number): Promise<void> {
    await hardKillAndWait(this, killTimeout, this.#clock);
    this.#letGo();
  }

  /** Forget the groups: they simply keep running (see #letGo). */
  async spare(): Promise<void> {
    this.#letGo();
  }

  /**
   * Forget the groups, reap the zombies of the tree and give up our share of
   * the subreaper: the one way this mechanism lets go of a group.
   */
  #letGo(): void {
    this.#stopCensus();
    this.#walk.members();
    this.#registry.forgetAll();
    this.#walk.forget();
    if (this.#adopting) this.#host.subreaper?.release(this.#claim);
    this.#adopting = false;
  }

  killSync(): void {
    // Everything the hard kill does is synchronous already.
    stopThenKill(this.#walk, this.#registry, this.#host);
  }

  guardRecords(): GuardRecord[] {
    this.#registry.pruneEmpty();
    const groups = this.#registry.groups();
    const records: GuardRecord[] = groups.map(({ pgid, leaderStartTime }) => ({
      kind: 'pgroup',
      pgid,
      leaderStartTime,
    }));
    if (groups.length === 0 && this.#walk.seen.size === 0 && !this.#spawning) return records;
    records.push({ kind: 'marker', marker: this.#marker });
    // Members outside our process groups, seen by the last walk: those without the marker can be found no other way.
    const pgids = new Set(groups.map((group) => group.pgid));
    for (const [pid, startTime] of this.#walk.seen) {
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

  /** members() and stats() answer for now: a fresh scan, not this turn's shared one. */
  #liveMembers(): ProcStat[] {
    return this.#walk.members(this.#host.noteChange());
  }

  #startCensus(): void {
    if (this.#leaveCensus) return;
    this.#leaveCensus = joinCensus(() => {
      this.#walk.members();
      this.#recordsListener?.();
    });
  }

  #stopCensus(): void {
    this.#leaveCensus?.();
    this.#leaveCensus = undefined;
  }
}
