/**
 * killpg(2) to every tracked group, with its errors turned into results:
 * ESRCH means the group emptied (the caller marks it dead, once it no longer
 * needs its session to find orphans: see hard-kill.ts); EPERM from a group that holds only zombies is not a failure
 * (nothing live was left to refuse us); anything else is.
 */
import { signalNumber, type SignalName } from '../../options/signals.js';
import type { GroupRegistry } from './group-registry.js';
import type { TrackedGroup } from './tracked-group.js';

export interface DeliveryFailure {
  pgid: number;
  errno: string;
  /** The live members the signal could not reach. */
  pids: number[];
}

export interface Delivery {
  /** Groups the signal was delivered to. */
  reached: TrackedGroup[];
  /** Groups found empty (ESRCH): never to be signalled again. */
  emptied: TrackedGroup[];
  failures: DeliveryFailure[];
}

export function signalGroups(registry: GroupRegistry, groups: readonly TrackedGroup[], signal: SignalName): Delivery {
  const number = signalNumber(signal);
  const delivery: Delivery = { reached: [], emptied: [], failures: [] };
  for (const group of groups) {
    const { errno } = registry.host.killpg(group.pgid, number);
    if (errno === undefined) {
      delivery.reached.push(group);
    } else if (errno === 'ESRCH') {
      delivery.emptied.push(group);
    } else {
      const pids = registry.liveMembers([group]).map((stat) => stat.pid);
      if (errno === 'EPERM' && pids.length === 0) continue;
      delivery.failures.push({ pgid: group.pgid, errno, pids });
    }
  }
  return delivery;
}
