/**
 * killpg(2) to every tracked group, with its errors turned into results:
 * ESRCH means the group emptied (it is marked dead and never signalled
 * again); EPERM from a group that holds only zombies is not a failure
 * (nothing live was left to refuse us); anything else is.
 */
import { signalNumber, type SignalName } from '../../options/signals.js';
import type { GroupRegistry } from './group-registry.js';
import type { PgroupHost } from './pgroup-host.js';
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
  failures: DeliveryFailure[];
}

export function signalGroups(
  registry: GroupRegistry,
  host: PgroupHost,
  groups: readonly TrackedGroup[],
  signal: SignalName,
): Delivery {
  const number = signalNumber(signal);
  const delivery: Delivery = { reached: [], failures: [] };
  for (const group of groups) {
    const { errno } = host.killpg(group.pgid, number);
    if (errno === undefined) {
      delivery.reached.push(group);
    } else if (errno === 'ESRCH') {
      registry.markDead(group);
    } else {
      const pids = registry.liveMembers([group]).map((stat) => stat.pid);
      if (errno === 'EPERM' && pids.length === 0) continue;
      delivery.failures.push({ pgid: group.pgid, errno, pids });
    }
  }
  return delivery;
}
