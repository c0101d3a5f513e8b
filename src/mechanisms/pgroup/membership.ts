/**
 * Who is in a fallback group: a pure function of one /proc snapshot (tested
 * on fixtures in test/pgroup/membership.test.ts). The roots are:
 * - every process in one of the group's process groups (the leaders and
 *   whatever did not leave their pgid), started no earlier than its leader;
 * - every process an earlier walk saw (pid + start time): once a member,
 *   always a member, wherever its parent went;
 * - every live orphan handed to this process (the subreaper) that belongs
 *   to the group: in one of its leaders' sessions, or carrying its marker.
 * The members are the roots and all their descendants by parent links, so a
 * `setsid` or `setpgid` child of a member is found through its parent. A
 * group whose leader pid the snapshot shows held by a younger process
 * emptied unseen, and that pid is a stranger's now: it roots nothing.
 * What no walk can find: docs/fallback.md, "What it cannot see".
 */
import type { ProcStat } from '../../proc/stat.js';
import type { ProcessTable } from './process-table.js';
import { isLive, startedSinceLeader, type TrackedGroup } from './group-registry.js';

export interface MembershipInput {
  readonly table: ProcessTable;
  /** The group's process groups, dead ones already left out. */
  readonly groups: readonly TrackedGroup[];
  /** Members seen by earlier walks: pid to start time. */
  readonly seen: ReadonlyMap<number, number>;
  /** This process: the parent of the leaders and of every orphan the subreaper adopts. */
  readonly selfPid: number;
  /** Whether a live orphan of ours, in none of the group's sessions, carries the group's marker. */
  readonly carriesMarker: (orphan: ProcStat) => boolean;
}

export interface Membership {
  readonly live: ProcStat[];
  /** Members that died and are not reaped yet (zombies): not members, but someone's to reap. */
  readonly dead: ProcStat[];
}

export function membership({ table, groups, seen, selfPid, carriesMarker }: MembershipInput): Membership {
  const bySid = new Map<number, TrackedGroup>();
  const found: ProcStat[] = [];
  const inTree = new Set<number>();
  const add = (stat: ProcStat) => {
    if (inTree.has(stat.pid)) return;
    inTree.add(stat.pid);
    found.push(stat);
  };
  for (const group of groups) {
    const holder = table.byPid.get(group.pgid);
    if (holder !== undefined && holder.startTime !== group.leaderStartTime) continue;
    bySid.set(group.pgid, group);
    for (const stat of table.byPgid.get(group.pgid) ?? []) if (startedSinceLeader(stat, group)) add(stat);
  }
  for (const [pid, startTime] of seen) {
    const stat = table.byPid.get(pid);
    if (stat?.startTime === startTime) add(stat);
  }
  if (bySid.size === 0 && seen.size === 0) return { live: [], dead: [] };
  for (const orphan of table.children.get(selfPid) ?? []) {
    if (inTree.has(orphan.pid) || !isLive(orphan)) continue;
    if (startedSinceLeader(orphan, bySid.get(orphan.sid)) || carriesMarker(orphan)) add(orphan);
  }
  for (let i = 0; i < found.length; i++) for (const child of table.children.get(found[i]!.pid) ?? []) add(child);
  return { live: found.filter(isLive), dead: found.filter((stat) => !isLive(stat)) };
}
