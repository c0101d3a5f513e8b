/**
 * A signal to each member the walk found, one by one, each pinned by pidfd
 * (see pinned-process.ts) so a pid recycled since the walk is never hit.
 * Members that left their process group are reached like the others;
 * killpg(2) could not reach them. A member that is gone meanwhile is not a
 * failure; any other errno is, and is reported after every member was tried.
 */
import { CorralError, type CorralErrorCode } from '../../errors.js';
import { signalNumber, type SignalName } from '../../options/signals.js';
import type { ProcStat } from '../../proc/stat.js';
import type { PgroupHost } from './pgroup-host.js';

export interface MemberFailure {
  pid: number;
  errno: string;
}

export interface MemberDelivery {
  /** How many members `signal` reached. */
  reached: number;
  failures: MemberFailure[];
}

export function signalMembers(host: PgroupHost, members: readonly ProcStat[], signal: SignalName, thenContinue: boolean): MemberDelivery {
  const number = signalNumber(signal);
  const continued = signalNumber('SIGCONT');
  const delivery: MemberDelivery = { reached: 0, failures: [] };
  for (const member of members) {
    const pin = host.pin(member.pid, member.startTime);
    if (pin === undefined) continue;
    const { errno } = pin.signal(number);
    if (errno === undefined) {
      delivery.reached += 1;
      // Wakes a stopped member to act on the signal; it can only fail if the member just died.
      if (thenContinue) pin.signal(continued);
    } else if (errno !== 'ESRCH') delivery.failures.push({ pid: member.pid, errno });
    pin.unpin();
  }
  return delivery;
}

/** The CorralError for members a signal could not reach, or undefined. */
export function memberError(code: CorralErrorCode, signal: SignalName, failures: readonly MemberFailure[]): CorralError | undefined {
  const first = failures[0];
  if (first === undefined) return undefined;
  return new CorralError(code, `${signal} could not be delivered to ${failures.length} member(s): ${failures.map((f) => `${f.pid} (${f.errno})`).join(', ')}`, {
    syscall: 'pidfd_send_signal',
    errnoCode: first.errno,
    pids: failures.map((f) => f.pid),
  });
}
