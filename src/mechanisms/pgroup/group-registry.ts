/**
 * The groups a containment has spawned, and what is known about each: still
 * possibly holding members, or dead forever.
 *
 * PID reuse: Linux does not hand out a pid while it is still the pgid of some
 * process (zombies included), so a pgid can only be recycled after the group
 * was empty. Two rules follow. A group seen empty (killpg(pgid, 0) fails with
 * ESRCH) is dropped and never signalled again. And a leader pid that now
 * belongs to a process with another start time proves the group emptied while
 * nobody looked: it is dropped too. A leader that is simply gone, while
 * members remain, leaves a group that is still ours.
 */
import type { ProcStat } from '../../proc/stat.js';
import type { PgroupHost } from './pgroup-host.js';
import { isLiveMember, type TrackedGroup } from './tracked-group.js';

const PROBE = 0;

export class GroupRegistry {
  readonly #host: PgroupHost;
  readonly #groups = new Map<number, TrackedGroup>();

  constructor(host: PgroupHost) {
    this.#host = host;
  }

  /**
   * Track the group a freshly spawned leader heads. Called synchronously after
   * spawn(): the leader cannot have been reaped yet (Node reaps on the event
   * loop), so its stat is readable even if it already exited.
   */
  track(leaderPid: number): TrackedGroup {
    this.pruneEmpty();
    // The stat is there: an unreaped child's /proc entry stays.
    const group: TrackedGroup = { pgid: leaderPid, leaderStartTime: this.#host.readStat(leaderPid)?.startTime ?? 0 };
    // A pid equal to a tracked pgid means that old group has emptied (the pid
    // was free to hand out): the new group replaces it.
    this.#groups.set(leaderPid, group);
    return group;
  }

  /** Drop the groups that have emptied, so a long-lived group that spawns often does not accumulate them. */
  pruneEmpty(): void {
    for (const group of this.groups()) {
      if (this.#host.killpg(group.pgid, PROBE).errno === 'ESRCH') this.markDead(group);
    }
  }

  /** Groups not yet known to be dead, after dropping those whose leader pid a stranger now holds. */
  groups(): TrackedGroup[] {
    for (const group of this.#groups.values()) this.#leaderOf(group);
    return [...this.#groups.values()];
  }

  /**
   * The group heading session `sid`, unless a stranger now holds its leader's
   * pid. One map lookup and at most one stat read: the subreaper asks this
   * for every zombie child it finds, of every containment's claim, and a
   * walk over groups() there made closing many groups at once quadratic.
   */
  sessionGroup(sid: number): TrackedGroup | undefined {
    const group = this.#groups.get(sid);
    if (group === undefined || this.#leaderOf(group) === 'stranger') return undefined;
    return group;
  }

  /**
   * The leader's stat while the pid is still our leader's (zombie included),
   * undefined once it is gone; drops the group when a stranger holds the pid.
   */
  #leaderOf(group: TrackedGroup): ProcStat | 'stranger' | undefined {
    const leader = this.#host.readStat(group.pgid);
    if (leader === undefined || leader.startTime === group.leaderStartTime) return leader;
    this.markDead(group);
    return 'stranger';
  }

  /** Never signal this group again. */
  markDead(group: TrackedGroup): void {
    if (this.#groups.get(group.pgid) === group) this.#groups.delete(group.pgid);
  }

  forgetAll(): void {
    this.#groups.clear();
  }

  /** The live members of every tracked group, from one /proc scan. */
  liveMembers(groups: readonly TrackedGroup[] = this.groups()): ProcStat[] {
    if (groups.length === 0) return [];
    const byPgid = new Map(groups.map((g) => [g.pgid, g]));
    return this.#host.processTable().all.filter((stat) => {
      const group = byPgid.get(stat.pgid);
      return group !== undefined && isLiveMember(stat, group);
    });
  }
}
