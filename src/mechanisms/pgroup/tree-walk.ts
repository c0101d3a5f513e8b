/**
 * Who is in a fallback group right now, from one /proc scan. The roots are:
 * - every live process in one of the group's process groups (the leaders
 *   and whatever did not leave their pgid);
 * - every process seen as a member by an earlier walk (pid + start time):
 *   once a member, always a member, wherever its parent went;
 * - every orphan the subreaper handed to us (parent = this process) that
 *   belongs to this group: in one of its leaders' sessions, or carrying its
 *   environment marker.
 * The members are the roots and all their descendants, by parent links, so
 * a `setsid` or `setpgid` child of a member is found through its parent.
 * What no walk can find: a process that left the group's pgroup and
 * session, cleared its environment, and was orphaned before any walk saw it
 * (docs/fallback.md says what then happens to it).
 */
import type { ProcStat } from '../../proc/stat.js';
import type { GroupRegistry } from './group-registry.js';
import type { PgroupHost } from './pgroup-host.js';
import { isLive, isLiveStat, startedSinceLeader } from './tracked-group.js';

export class TreeWalk {
  readonly #host: PgroupHost;
  readonly #registry: GroupRegistry;
  readonly #markerEntry: string;
  /** Members seen by earlier walks: pid to start time. */
  #seen = new Map<number, number>();
  /** The member anySeenAlive() found alive last. */
  #lastAlive: number | undefined;

  constructor(host: PgroupHost, registry: GroupRegistry, markerEntry: string) {
    this.#host = host;
    this.#registry = registry;
    this.#markerEntry = markerEntry;
  }

  /** The members the last walk saw (pid to start time), for the guard. */
  get seen(): ReadonlyMap<number, number> {
    return this.#seen;
  }

  /**
   * The live members now: from this turn's shared table, or with `since`
   * from one scanned after that change (see process-table.ts). Zombies are
   * not members, but their adoption is noted so they get reaped.
   */
  members(since?: number): ProcStat[] {
    const groups = this.#registry.groups();
    if (groups.length === 0 && this.#seen.size === 0) return [];
    const byPgid = new Map(groups.map((group) => [group.pgid, group]));
    const { all, children, startTimes } = this.#host.processTable(since);
    const found: ProcStat[] = [];
    for (const stat of all) if (this.#isRoot(stat, byPgid)) found.push(stat);
    const inTree = new Set(found.map((stat) => stat.pid));
    for (let i = 0; i < found.length; i++) {
      for (const child of children.get(found[i]!.pid) ?? []) {
        if (inTree.has(child.pid)) continue;
        inTree.add(child.pid);
        found.push(child);
      }
    }
    const subreaper = this.#host.subreaper;
    subreaper?.prune(startTimes);
    const seen = new Map<number, number>();
    const live: ProcStat[] = [];
    let zombies = false;
    for (const stat of found) {
      // Our leaders are libuv's children; every other member was forked by a descendant.
      if (!byPgid.has(stat.pid)) subreaper?.noteMember(stat.pid, stat.startTime);
      if (isLive(stat)) {
        seen.set(stat.pid, stat.startTime);
        live.push(stat);
      } else if (stat.ppid === this.#host.selfPid) zombies = true;
    }
    this.#seen = seen;
    if (zombies) subreaper?.reapSoon();
    return live;
  }

  /**
   * True when a member the last walk saw is still alive (same pid, same
   * start time, not a zombie): the group has not drained, and saying so took
   * a few stat reads instead of a scan. It looks at the member that answered
   * last time first, then at up to `limit` others; false proves nothing.
   * While a big tree dies, the drain wait is woken again and again, and this
   * spares it a scan each time (a scan also competes for the CPU with the
   * very processes that are exiting). A member found gone (no such pid, or
   * the pid is another process now) can never be seen again, so it is
   * forgotten: the next call reads the living, not the same dead again.
   * A zombie stays: the next walk must still find it to have it reaped.
   */
  anySeenAlive(limit = 8): boolean {
    const alive = (pid: number) => {
      const startTime = this.#seen.get(pid);
      const stat = this.#host.readStat(pid);
      if (stat?.startTime !== startTime) this.#seen.delete(pid);
      return isLiveStat(stat, startTime);
    };
    if (this.#lastAlive !== undefined && this.#seen.has(this.#lastAlive) && alive(this.#lastAlive)) return true;
    let looked = 0;
    for (const pid of this.#seen.keys()) {
      if (pid === this.#lastAlive) continue;
      if (alive(pid)) {
        this.#lastAlive = pid;
        return true;
      }
      if (++looked >= limit) break;
    }
    this.#lastAlive = undefined;
    return false;
  }

  /** Forget every member: the group was released (or stood down and let go). */
  forget(): void {
    this.#seen = new Map();
  }

  /**
   * A zombie child of ours in one of the group's sessions (and not a
   * leader) came from the group: the subreaper may reap it even unseen.
   */
  claims(zombie: ProcStat): boolean {
    return zombie.sid !== zombie.pid && startedSinceLeader(zombie, this.#registry.sessionGroup(zombie.sid));
  }

  #isRoot(stat: ProcStat, byPgid: ReadonlyMap<number, { leaderStartTime: number }>): boolean {
    if (startedSinceLeader(stat, byPgid.get(stat.pgid))) return true;
    if (this.#seen.get(stat.pid) === stat.startTime) return true;
    if (stat.ppid !== this.#host.selfPid || !isLive(stat)) return false;
    if (startedSinceLeader(stat, byPgid.get(stat.sid))) return true;
    // Another group's leader carries that group's marker: not worth reading its environment.
    if (this.#host.subreaper?.isLeader(stat.pid)) return false;
    return this.#host.environHas(stat.pid, this.#markerEntry);
  }
}
