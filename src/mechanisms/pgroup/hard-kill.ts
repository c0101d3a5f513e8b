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
 * Only a member that could not be stopped (another user's setuid program:
 * EPERM) can have forked after its walk; when there was one, or the rounds
 * ran out, the kill looks once more after step 3, and kills anyone new the
 * same way, within the same bound. So the drain wait that follows only reads.
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

/** Kill passes at most: the first, and the looks after it for forks of members that could not be stopped. */
const MAX_PASSES = 4;

/** The whole hard kill, synchronously (exit cleanup). */
export function stopThenKill(walk: TreeWalk, registry: GroupRegistry, host: PgroupHost): MemberFailure[] {
  return killStoppedTree(walk, registry, host, stopGroups(registry, host));
}

/**
 * The same for hardKill(): after step 1 it lets the other hard kills begun
 * in the same breath (a scheduler closing 200 groups at once) stop their
 * groups too, so one /proc scan made after every one of those stops serves
 * all their first walks, instead of one scan each.
 */
export async function stopThenKillTogether(
  walk: TreeWalk,
  registry: GroupRegistry,
  host: PgroupHost,
): Promise<MemberFailure[]> {
  const stopped = stopGroups(registry, host);
  await Promise.resolve();
  return killStoppedTree(walk, registry, host, stopped);
}

/** Step 1: the ticket a walk's table must be newer than, and whether every group was stopped. */
function stopGroups(registry: GroupRegistry, host: PgroupHost): { since: number; allStopped: boolean } {
  const { failures } = signalGroups(registry, host, registry.groups(), 'SIGSTOP');
  return { since: host.noteChange(), allStopped: failures.length === 0 };
}

/**
 * Steps 2 and 3, the first walk from a table scanned after `stopped`; again,
 * at most MAX_PASSES times, while a member that could not be stopped may
 * have forked before its SIGKILL. The members sent SIGKILL (pid to start
 * time) are dying, and neither stopped nor killed again.
 */
function killStoppedTree(
  walk: TreeWalk,
  registry: GroupRegistry,
  host: PgroupHost,
  stopped: { since: number; allStopped: boolean },
): MemberFailure[] {
  const killed = new Map<number, number>();
  for (let pass = 1, step = stopped; ; pass++) {
    const { failures, allStopped } = killPass(walk, registry, host, killed, step.since);
    if ((step.allStopped && allStopped) || pass === MAX_PASSES) return failures;
    step = stopGroups(registry, host);
    const failed = new Set(failures.map((failure) => failure.pid));
    if (
      !walk.members(step.since).some((member) => killed.get(member.pid) !== member.startTime && !failed.has(member.pid))
    )
      return failures;
  }
}

/** One stop-walk-kill pass; adds whom it killed to `killed`, and says whether every member outside the groups was stopped. */
function killPass(
  walk: TreeWalk,
  registry: GroupRegistry,
  host: PgroupHost,
  killed: Map<number, number>,
  stopped: number,
): { failures: MemberFailure[]; allStopped: boolean } {
  const stop = signalNumber('SIGSTOP');
  const kill = signalNumber('SIGKILL');
  const pinned = new Map<number, PinnedProcess>();
  const seen = new Map<number, number>();
  const failures: MemberFailure[] = [];
  let allStopped = true;
  let round = 0;
  try {
    let since = stopped;
    for (; round < MAX_ROUNDS; round++) {
      const members = walk.members(since).filter((member) => killed.get(member.pid) !== member.startTime);
      const fresh = members.filter((member) => seen.get(member.pid) !== member.startTime);
      for (const member of fresh) seen.set(member.pid, member.startTime);
      const outside = outsideGroups(fresh, registry.groups());
      if (outside.length === 0) break;
      for (const member of outside) {
        const pin = host.pin(member.pid, member.startTime);
        if (pin === undefined) continue;
        pinned.set(member.pid, pin);
        const { errno } = pin.signal(stop);
        if (errno !== undefined && errno !== 'ESRCH') allStopped = false;
      }
      since = host.noteChange();
    }
    if (round === MAX_ROUNDS) allStopped = false;
    const groups = signalGroups(registry, host, registry.groups(), 'SIGKILL');
    for (const failure of groups.failures)
      for (const pid of failure.pids) failures.push({ pid, errno: failure.errno, syscall: 'killpg' });
    for (const pin of pinned.values()) {
      const { errno } = pin.signal(kill);
      if (errno !== undefined && errno !== 'ESRCH')
        failures.push({ pid: pin.pid, errno, syscall: 'pidfd_send_signal' });
    }
    const failed = new Set(failures.map((failure) => failure.pid));
    for (const [pid, startTime] of seen) if (!failed.has(pid)) killed.set(pid, startTime);
  } finally {
    for (const pin of pinned.values()) pin.unpin();
  }
  return { failures, allStopped };
}
