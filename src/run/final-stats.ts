/**
 * run()'s `stats`: the group's finalStats(), read once when the tree is gone
 * (or kept) and just before the group is closed, so that they cover the
 * whole run.
 */
import type { GroupStats } from '../mechanisms/containment.js';
import type { ProcessGroup } from '../group/process-group.js';

/** The stats, or undefined if the group cannot give any (they are a report, never a reason to fail the run). */
export async function finalStats(group: ProcessGroup): Promise<GroupStats | undefined> {
  return group.finalStats().catch(() => undefined);
}
