/**
 * The fallback's hard kill: stop the tree from growing, then kill it.
 * SIGKILL sent to a walked list leaves a gap: a member that forks after the
 * walk and before its SIGKILL has a child nobody listed, and that child,
 * orphaned by the kill, is re-parented before anyone looks again. So:
 * 1. SIGSTOP every member: killpg to each tracked group, a pidfd-pinned
 *    signal to each member outside them. A stopped process forks no more;
 *    a fork racing the stop is restarted by the kernel or finished, and then
 *    its child is visible to the next walk;
 * 2. walk again and stop again, until a walk finds nobody new;
 * 3. SIGKILL the same way (SIGKILL ends stopped processes too).
 * Nothing dies before step 3, so no parent link breaks while we walk.
 */
import { signalNumber } from '../../options/signals.js';
import type { GroupRegistry } from './group-registry.js';
import type { PgroupHost } from './pgroup-host.js';
import type { PinnedProcess } from './pinned-process.js';
import { outsideGroups, type MemberFailure } from './signal-members.js';
import { signalGroups } from './signal-groups.js';
import type { TreeWalk } from './tree-walk.js';

/**
 * A walk that keeps finding new members after this many rounds has members
 * it cannot stop (another user's setuid program, say): kill what we hold,
 * the drain wait kills again.
 */
const MAX_ROUNDS = 64;

/**
 * `killed` (pid to start time) holds the members already sent SIGKILL by an
 * earlier call: they are dying, and are neither stopped nor killed again;
 * the ones this call kills are added to it.
 */
export function stopThenKill(walk: TreeWalk, registry: GroupRegistry, host: PgroupHost, killed = new Map<number, number>()): MemberFailure[] {
  const stop = signalNumber('SIGSTOP');
  const kill = signalNumber('SIGKILL');
  const pinned = new Map<number, PinnedProcess>();
  const seen = new Map<number, number>();
  const failures: MemberFailure[] = [];
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const members = walk.members().filter((member) => killed.get(member.pid) !== member.startTime);
      const fresh = members.filter((member) => seen.get(member.pid) !== member.startTime);
      if (fresh.length === 0) break;
      for (const member of fresh) seen.set(member.pid, member.startTime);
      signalGroups(registry, host, registry.groups(), 'SIGSTOP');
      for (const member of outsideGroups(fresh, registry.groups())) {
        const pin = host.pin(member.pid, member.startTime);
        if (pin === undefined) continue;
        pinned.set(member.pid, pin);
        pin.signal(stop);
      }
    }
    const groups = signalGroups(registry, host, registry.groups(), 'SIGKILL');
    for (const failure of groups.failures) for (const pid of failure.pids) failures.push({ pid, errno: failure.errno, syscall: 'killpg' });
    for (const pin of pinned.values()) {
      const { errno } = pin.signal(kill);
      if (errno !== undefined && errno !== 'ESRCH') failures.push({ pid: pin.pid, errno, syscall: 'pidfd_send_signal' });
    }
    const failed = new Set(failures.map((failure) => failure.pid));
    for (const [pid, startTime] of seen) if (!failed.has(pid)) killed.set(pid, startTime);
  } finally {
    for (const pin of pinned.values()) pin.unpin();
  }
  return failures;
}
