/**
 * The process groups a containment has spawned, and which of them may still
 * hold members.
 *
 * PID reuse: Linux does not hand out a pid while it is still the pgid of some
 * process (zombies included), so a pgid can only be recycled after the group
 * was empty. Two rules follow. A group seen empty (killpg(pgid, 0) fails with
 * ESRCH) is dropped and never signalled again. And a leader pid that now
 * belongs to a process with another start time proves the group emptied while
 * nobody looked: it is left out of every answer at once, and dropped by the
 * next prune(). A leader that is simply gone, while members remain, leaves a
 * group that is still ours.
 */
import type { ProcStat } from '../../proc/stat.js';
import type { PgroupHost } from './pgroup-host.js';

const PROBE = 0;

/**
 * One process group this containment started: the leader's pid is the pgid (the leader called setsid), and its
 * start time is what tells our group from a stranger's once that pid has been recycled.
 */
export interface TrackedGroup {
  readonly pgid: number;
  /** /proc/<pid>/stat starttime of the leader, in clock ticks since boot. */
  readonly leaderStartTime: number;
}

/** A zombie (Z) or a task being torn down (X) has finished: it holds a pid, not a process. */
export function isLive(stat: ProcStat): boolean {
  return stat.state !== 'Z' && stat.state !== 'X';
}

/** `stat` is that very process (pid and start time), still alive. */
export function isLiveStat(stat: ProcStat | undefined, startTime: number | undefined): boolean {
  return stat !== undefined && stat.startTime === startTime && isLive(stat);
}

/**
 * `stat` started no earlier than `group`'s leader, so it may have come from that group (its process group or
 * session). A process with the right pgid or sid but an earlier start time cannot be ours (defence in depth; Linux
 * never hands out a pid while it is still some process's pgid or sid).
 */
export function startedSinceLeader(stat: ProcStat, group: Pick<TrackedGroup, 'leaderStartTime'> | undefined): boolean {
  return group !== undefined && stat.startTime >= group.leaderStartTime;
}

export class GroupRegistry {
  readonly host: PgroupHost;
  readonly #groups = new Map<number, TrackedGroup>();

  constructor(host: PgroupHost) {
    this.host = host;
  }

  /**
   * Track the group a freshly spawned leader heads. Called synchronously after spawn(): the leader cannot have
   * been reaped yet (Node reaps on the event loop), so its stat is readable even if it already exited.
   */
  track(leaderPid: number): TrackedGroup {
    const group: TrackedGroup = { pgid: leaderPid, leaderStartTime: this.host.readStat(leaderPid)?.startTime ?? 0 };
    // A pid equal to a tracked pgid means that old group has emptied (the pid was free to hand out): replaced.
    this.#groups.set(leaderPid, group);
    return group;
  }

  /** Every group not dropped yet, unchecked (the membership walk checks the leaders in its snapshot). */
  tracked(): TrackedGroup[] {
    return [...this.#groups.values()];
  }

  /** The tracked groups whose leader pid no stranger holds: the ones a signal may go to. */
  groups(): TrackedGroup[] {
    return this.tracked().filter((group) => !this.#strangerHolds(group));
  }

  /** The groups a probe finds still occupied (zombies included): read only, nothing is dropped. */
  occupied(): TrackedGroup[] {
    return this.groups().filter((group) => this.host.killpg(group.pgid, PROBE).errno !== 'ESRCH');
  }

  /**
   * The group heading session `sid`, unless a stranger now holds its leader's pid. One map lookup and at most one
   * stat read: the runtime asks this of every group for every zombie child it finds (the Worker path).
   */
  sessionGroup(sid: number): TrackedGroup | undefined {
    const group = this.#groups.get(sid);
    return group === undefined || this.#strangerHolds(group) ? undefined : group;
  }

  /** Drop the groups seen empty or a stranger's now (at each census: a group that spawns often keeps no dead ones). */
  prune(): void {
    for (const group of this.#groups.values())
      if (this.#strangerHolds(group) || this.host.killpg(group.pgid, PROBE).errno === 'ESRCH') this.markDead(group);
  }

  /** Never signal this group again. */
  markDead(group: TrackedGroup): void {
    if (this.#groups.get(group.pgid) === group) this.#groups.delete(group.pgid);
  }

  forgetAll(): void {
    this.#groups.clear();
  }

  /** The live members still in `group`, from a scan of their own (an error report's list). */
  liveMembers(group: TrackedGroup): ProcStat[] {
    return this.host
      .scan()
      .filter((stat) => stat.pgid === group.pgid && isLive(stat) && startedSinceLeader(stat, group));
  }

  #strangerHolds(group: TrackedGroup): boolean {
    const leader = this.host.readStat(group.pgid);
    return leader !== undefined && leader.startTime !== group.leaderStartTime;
  }
}
