/**
 * killpg(2) to every tracked group, with its errors turned into results:
 * ESRCH means the group emptied (the caller marks it dead, once it no longer
 * needs its session to find orphans: see hard-kill.ts); EPERM from a group
 * that holds only zombies is not a failure (nothing live was left to refuse
 * us); anything else is, once for each live member the signal missed.
 */
import { signalNumber, type SignalName } from '../../options/signals.js';
import type { GroupRegistry } from './group-registry.js';
import type { TrackedGroup } from './tracked-group.js';

/** A member a signal could not reach, and how it was sent. */
export interface MemberFailure {
  pid: number;
  errno: string;
  syscall: 'killpg' | 'pidfd_send_signal';
}

export interface Delivery {
  /** Groups the signal was delivered to. */
  reached: TrackedGroup[];
  /** Groups found empty (ESRCH): never to be signalled again. */
  emptied: TrackedGroup[];
  failures: MemberFailure[];
}

export function signalGroups(registry: GroupRegistry, groups: readonly TrackedGroup[], signal: SignalName): Delivery {
  const number = signalNumber(signal);
  const delivery: Delivery = { reached: [], emptied: [], failures: [] };
  for (const group of groups) {
    const { errno } = registry.host.killpg(group.pgid, number);
    if (errno === undefined) delivery.reached.push(group);
    else if (errno === 'ESRCH') delivery.emptied.push(group);
    else for (const { pid } of registry.liveMembers([group])) delivery.failures.push({ pid, errno, syscall: 'killpg' });
  }
  return delivery;
}
