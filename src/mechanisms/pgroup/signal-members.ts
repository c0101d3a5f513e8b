/**
 * A signal to every member the walk found. Members still in one of the
 * group's process groups get it through killpg(2), one call per group (a
 * pgid cannot be recycled while any member holds it, so that is as safe as
 * a pidfd, and far cheaper on a big tree). Members that left their process
 * group get it one by one, each pinned by pidfd (see pinned-process.ts), so
 * a pid recycled since the walk is never hit. A member that is gone
 * meanwhile is not a failure; any other errno is, reported after every
 * member was tried.
 */
import { signalNumber, type SignalName } from '../../options/signals.js';
import type { ProcStat } from '../../proc/stat.js';
import type { GroupRegistry, TrackedGroup } from './group-registry.js';

/** A member a signal could not reach, and how it was sent. */
export interface MemberFailure {
  pid: number;
  errno: string;
  syscall: 'killpg' | 'pidfd_send_signal';
}

interface Delivery {
  /** Groups the signal was delivered to. */
  reached: TrackedGroup[];
  /** Groups found empty (ESRCH): never to be signalled again. */
  emptied: TrackedGroup[];
  failures: MemberFailure[];
}

/**
 * killpg(2) to every group: ESRCH means the group emptied (the caller marks
 * it dead, once it no longer needs its session to find orphans: see
 * hard-kill.ts); EPERM from a group that holds only zombies is not a failure
 * (nothing live was left to refuse us); anything else is, once for each live
 * member the signal missed.
 */
export function signalGroups(registry: GroupRegistry, groups: readonly TrackedGroup[], signal: SignalName): Delivery {
  const number = signalNumber(signal);
  const delivery: Delivery = { reached: [], emptied: [], failures: [] };
  for (const group of groups) {
    const { errno } = registry.host.killpg(group.pgid, number);
    if (errno === undefined) delivery.reached.push(group);
    else if (errno === 'ESRCH') delivery.emptied.push(group);
    else for (const { pid } of registry.liveMembers(group)) delivery.failures.push({ pid, errno, syscall: 'killpg' });
  }
  return delivery;
}

/** The members outside every tracked process group: the ones killpg cannot reach. */
export function outsideGroups(members: readonly ProcStat[], groups: readonly TrackedGroup[]): ProcStat[] {
  const pgids = new Set(groups.map((group) => group.pgid));
  return members.filter((member) => !pgids.has(member.pgid));
}

/** `reached`: how many members `signal` reached. */
export function signalMembers(
  registry: GroupRegistry,
  members: readonly ProcStat[],
  signal: SignalName,
  thenContinue: boolean,
): { reached: number; failures: MemberFailure[] } {
  const groups = registry.groups();
  const byGroup = signalGroups(registry, groups, signal);
  // The walk that found `members` is done: an emptied group's session is needed no more.
  for (const group of byGroup.emptied) registry.markDead(group);
  if (thenContinue) signalGroups(registry, byGroup.reached, 'SIGCONT');
  const reachedPgids = new Set(byGroup.reached.map((group) => group.pgid));
  const delivery = {
    reached: members.filter((member) => reachedPgids.has(member.pgid)).length,
    failures: byGroup.failures,
  };
  const number = signalNumber(signal);
  const continued = signalNumber('SIGCONT');
  for (const member of outsideGroups(members, groups)) {
    const pin = registry.host.pin(member.pid, member.startTime);
    if (pin === undefined) continue;
    const { errno } = pin.signal(number);
    if (errno === undefined) {
      delivery.reached += 1;
      // Wakes a stopped member to act on the signal; it can only fail if the member just died.
      if (thenContinue) pin.signal(continued);
    } else if (errno !== 'ESRCH') delivery.failures.push({ pid: member.pid, errno, syscall: 'pidfd_send_signal' });
    pin.unpin();
  }
  return delivery;
}
