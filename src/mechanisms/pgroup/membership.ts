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
import { isLive, startedSinceLeader, type TrackedGroup } from './tracked-group.js';

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
  const byPgid = new Map<number, TrackedGroup>();
  for (const group of groups) {
    const holder = table.startTimes.get(group.pgid);
    if (holder === undefined || holder === group.leaderStartTime) byPgid.set(group.pgid, group);
  }
  if (byPgid.size === 0 && seen.size === 0) return { live: [], dead: [] };
  const isRoot = (stat: ProcStat): boolean => {
    if (startedSinceLeader(stat, byPgid.get(stat.pgid)) || seen.get(stat.pid) === stat.startTime) return true;
    if (stat.ppid !== selfPid || !isLive(stat)) return false;
    return startedSinceLeader(stat, byPgid.get(stat.sid)) || carriesMarker(stat);
  };
  const found = table.all.filter(isRoot);
  const inTree = new Set(found.map((stat) => stat.pid));
  for (let i = 0; i < found.length; i++) {
    for (const child of table.children.get(found[i]!.pid) ?? []) {
      if (inTree.has(child.pid)) continue;
      inTree.add(child.pid);
      found.push(child);
    }
  }
  return { live: found.filter(isLive), dead: found.filter((stat) => !isLive(stat)) };
}
