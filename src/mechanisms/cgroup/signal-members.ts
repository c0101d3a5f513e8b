/**
 * A signal to every member of a cgroup's subtree. cgroup.procs lists pids,
 * and a pid can be recycled between reading it and signalling it; so each
 * pid is first pinned with a pidfd (pidfd_open), then the subtree is read again:
 * a pid still listed is still a member, and its pidfd names that very
 * process, whatever happens to the number afterwards. The signal goes
 * through the pidfd (pidfd_send_signal). Where pidfds do not exist (ENOSYS,
 * kernels before 5.3) it falls back to kill(2) on the re-read list.
 */
import { type UndeliveredSignal, undeliveredSignal } from '../../errors.js';
import { closeFd } from '../../libc/close.js';
import { kill, pidfdOpen, pidfdSendSignal } from '../../libc/libc.js';
import type { SignalOptions } from '../../driver/target.js';
import { signalNumber, type SignalName } from '../../options/signals.js';
import type { CgroupFs } from './cgroup-fs.js';
import { readSubtreeMembers } from './subtree.js';

/**
 * Sends `signal` (then SIGCONT, with `thenContinue`) to every member;
 * resolves with how many `signal` reached. Failures other than "gone" reject
 * with ESIGNAL_FAILED after every member was tried.
 */
export async function signalMembers(
  fs: CgroupFs,
  dir: string,
  signal: SignalName,
  { thenContinue = false }: SignalOptions = {},
): Promise<number> {
  const number = signalNumber(signal);
  const continued = signalNumber('SIGCONT');
  const pinned = new Map<number, number>();
  let pidfds = true;
  const listed = readSubtreeMembers(fs, dir);
  try {
    for (const pid of listed) {
      const opened = pidfdOpen(pid);
      if (opened.errno === 'ENOSYS') {
        pidfds = false;
        break;
      }
      if (opened.errno === undefined) pinned.set(pid, opened.value);
    }
    const stillMembers = readSubtreeMembers(fs, dir);
    const failures: UndeliveredSignal[] = [];
    let reached = 0;
    for (const pid of stillMembers) {
      const pidfd = pinned.get(pid);
      // Joined after the first read: a fork of a member, which the caller's next round covers.
      if (pidfds && pidfd === undefined) continue;
      const send = (n: number) => (pidfd === undefined ? kill(pid, n) : pidfdSendSignal(pidfd, n));
      // ESRCH, a process that is gone (or a zombie), is not a failure: the signal has nothing left to do.
      const result = send(number);
      if (result.errno === undefined) {
        reached += 1;
        // SIGCONT can only fail now if the member died in between: nothing left to wake.
        if (thenContinue) send(continued);
      } else if (result.errno !== 'ESRCH')
        failures.push({ pid, errno: result.errno, syscall: pidfds ? 'pidfd_send_signal' : 'kill' });
    }
    const failed = undeliveredSignal('ESIGNAL_FAILED', signal, failures, ` of ${dir}`);
    if (failed) throw failed;
    return reached;
  } finally {
    for (const pidfd of pinned.values()) closeFd(pidfd);
  }
}
