/**
 * killpg(2) to every tracked group, with its errors turned into results:
 * ESRCH means the group emptied (it is marked dead and never signalled
 * again); EPERM from a group that holds only zombies is not a failure
 * (nothing live was left to refuse us); anything else is.
 */
import { CorralError, type CorralErrorCode } from '../../errors.js';
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

/** The CorralError for a delivery that failed for some group, or undefined. */
export function deliveryError(code: CorralErrorCode, signal: SignalName, { failures }: Delivery): CorralError | undefined {
  const first = failures[0];
  if (first === undefined) return undefined;
  const what = failures.map((f) => `group ${f.pgid}: ${f.errno}`).join('; ');
  return new CorralError(code, `killpg(${signal}) failed for ${failures.length} process group(s): ${what}`, {
    syscall: 'killpg',
    errnoCode: first.errno,
    pids: failures.flatMap((f) => f.pids),
  });
}
