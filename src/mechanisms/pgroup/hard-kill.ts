/**
 * The fallback's hard kill: stop the tree from growing, then kill it.
 * SIGKILL sent to a walked list leaves a gap: a member that forks after the
 * walk and before its SIGKILL has a child nobody listed, and that child,
 * orphaned by the kill, is re-parented before anyone looks again. So:
 * 1. SIGSTOP each tracked group with killpg, before any walk: the kernel
 *    signals a process group atomically against fork (a child is either in
 *    the group in time to get the signal, or its fork is restarted), so
 *    nothing in our groups forks after this;
 * 2. walk, and SIGSTOP (pidfd-pinned) every member found outside our
 *    groups; those could have forked before their stop, so walk again while
 *    a walk finds someone new outside; a tree that never left its groups
 *    costs one walk;
 * 3. SIGKILL the same way (SIGKILL ends stopped processes too).
 * Nothing dies before step 3, so no parent link breaks while we walk. Every
 * walk reads a /proc table scanned after the last stop (process-table.ts):
 * one from before it would not show what forked just before it.
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
 * The whole hard kill, synchronously (exit cleanup, and the re-kill of a
 * fork that raced an earlier one). `killed` (pid to start time) holds the
 * members already sent SIGKILL by an earlier call: they are dying, and are
 * neither stopped nor killed again; the ones this call kills are added to it.
 */
export function stopThenKill(walk: TreeWalk, registry: GroupRegistry, host: PgroupHost, killed = new Map<number, number>()): MemberFailure[] {
  return killStoppedTree(walk, registry, host, killed, stopGroups(registry, host));
}

/**
 * The same for hardKill(): after step 1 it lets the other hard kills begun
 * in the same breath (a scheduler closing 200 groups at once) stop their
 * groups too, so one /proc scan made after every one of those stops serves
 * all their first walks, instead of one scan each.
 */
export async function stopThenKillTogether(walk: TreeWalk, registry: GroupRegistry, host: PgroupHost, killed: Map<number, number>): Promise<MemberFailure[]> {
  const stopped = stopGroups(registry, host);
  await Promise.resolve();
  return killStoppedTree(walk, registry, host, killed, stopped);
}

/** Step 1; the ticket a walk's table must be newer than. */
function stopGroups(registry: GroupRegistry, host: PgroupHost): number {
  signalGroups(registry, host, registry.groups(), 'SIGSTOP');
  return host.noteChange();
}

/** Steps 2 and 3, the first walk from a table scanned after `stopped`. */
function killStoppedTree(walk: TreeWalk, registry: GroupRegistry, host: PgroupHost, killed: Map<number, number>, stopped: number): MemberFailure[] {
  const stop = signalNumber('SIGSTOP');
  const kill = signalNumber('SIGKILL');
  const pinned = new Map<number, PinnedProcess>();
  const seen = new Map<number, number>();
  const failures: MemberFailure[] = [];
  try {
    let since = stopped;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const members = walk.members(since).filter((member) => killed.get(member.pid) !== member.startTime);
      const fresh = members.filter((member) => seen.get(member.pid) !== member.startTime);
      for (const member of fresh) seen.set(member.pid, member.startTime);
      const outside = outsideGroups(fresh, registry.groups());
      if (outside.length === 0) break;
      for (const member of outside) {
        const pin = host.pin(member.pid, member.startTime);
        if (pin === undefined) continue;
        pinned.set(member.pid, pin);
        pin.signal(stop);
      }
      since = host.noteChange();
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
