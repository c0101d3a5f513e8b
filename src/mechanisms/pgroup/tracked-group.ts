import type { ProcStat } from '../../proc/stat.js';

/**
 * One process group this containment started: the leader's pid is the pgid
 * (the leader called setsid), and the leader's start time is what tells our
 * group from a stranger's once that pid has been recycled.
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
 * `stat` started no earlier than `group`'s leader, so it may have come from
 * that group (its process group or session). Members start after their
 * leader: a process with the right pgid or sid but an earlier start time
 * cannot be ours (defence in depth; Linux never hands out a pid while it is
 * still some process's pgid or sid).
 */
export function startedSinceLeader(stat: ProcStat, group: Pick<TrackedGroup, 'leaderStartTime'> | undefined): boolean {
  return group !== undefined && stat.startTime >= group.leaderStartTime;
}
