/**
 * run()'s `stats`: the group's stats() read once, when the tree is gone (or
 * kept) and just before the group is closed, so that the cgroup's counters
 * cover the whole run: cpu.stat counts members that already exited,
 * pids.peak and memory.peak the most the tree ever held (where those
 * controllers are enabled for the group).
 */
import type { GroupStats } from '../mechanisms/containment.js';
import type { ProcessGroup } from '../group/process-group.js';

/** The stats, or undefined if the group cannot give any (they are a report, never a reason to fail the run). */
export async function finalStats(group: ProcessGroup): Promise<GroupStats | undefined> {
  let stats: GroupStats;
  try {
    stats = await group.stats();
  } catch {
    return undefined;
  }
  // Process groups count the CPU of live members only: at the end of a run
  // that is not the run's CPU time, and a wrong 0 is worse than no figure.
  if (group.mechanism === 'pgroup') delete stats.cpuUsageMs;
  return stats;
}
