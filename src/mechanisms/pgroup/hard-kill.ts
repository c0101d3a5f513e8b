/**
 * The fallback's hard kill: stop the tree from growing, then kill it.
 * SIGKILL sent to a walked list leaves a gap: a member that forks after the
 * walk and before its SIGKILL has a child nobody listed, and that child,
 * orphaned by the kill, is re-parented before anyone looks again. So:
 * 1. SIGSTOP every member found (pinned by pidfd); a stopped process forks
 *    no more, and a fork racing the stop is restarted by the kernel or
 *    finished, in which case its child is visible to the next walk;
 * 2. walk again, stopping whoever is new, until a walk finds nobody new;
 * 3. SIGKILL every pinned member (SIGKILL ends stopped processes too), and
 *    killpg(SIGKILL) each tracked group for good measure.
 * Nothing dies before step 3, so no parent link breaks while we walk.
 */
import { signalNumber } from '../../options/signals.js';
import type { GroupRegistry } from './group-registry.js';
import type { PgroupHost } from './pgroup-host.js';
import type { PinnedProcess } from './pinned-process.js';
import type { MemberFailure } from './signal-members.js';
import { signalGroups } from './signal-groups.js';
import type { TreeWalk } from './tree-walk.js';

/**
 * A walk that keeps finding new members after this many rounds has members
 * it cannot stop (another user's setuid program, say): kill what we hold,
 * the drain wait kills again.
 */
const MAX_ROUNDS = 64;

export function stopThenKill(walk: TreeWalk, registry: GroupRegistry, host: PgroupHost): MemberFailure[] {
  const stop = signalNumber('SIGSTOP');
  const kill = signalNumber('SIGKILL');
  const pinned = new Map<number, PinnedProcess>();
  const failures: MemberFailure[] = [];
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let fresh = 0;
      for (const member of walk.members()) {
        if (pinned.has(member.pid)) continue;
        const pin = host.pin(member.pid, member.startTime);
        if (pin === undefined) continue;
        pinned.set(member.pid, pin);
        fresh += 1;
        pin.signal(stop);
      }
      if (fresh === 0) break;
    }
    for (const pin of pinned.values()) {
      const { errno } = pin.signal(kill);
      if (errno !== undefined && errno !== 'ESRCH') failures.push({ pid: pin.pid, errno });
    }
    const groups = signalGroups(registry, host, registry.groups(), 'SIGKILL');
    for (const failure of groups.failures) for (const pid of failure.pids) if (!pinned.has(pid)) failures.push({ pid, errno: failure.errno });
  } finally {
    for (const pin of pinned.values()) pin.unpin();
  }
  return failures;
}
