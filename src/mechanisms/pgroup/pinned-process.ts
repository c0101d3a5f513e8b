/**
 * One member held by identity, so that a signal can never reach a process
 * that inherited its pid: a pidfd (pidfd_open) taken first, then the start
 * time read again. If /proc still shows the start time the walk saw, the
 * pidfd names that very process for as long as it stays open. Where pidfds
 * do not exist (kernels before 5.3), the pin is the pid plus that check,
 * and the signal goes through kill(2): the pid cannot be reused while the
 * process, or its zombie, holds it, so only a reap in between could fool it.
 */
import { closeFd } from '../../libc/close.js';
import { kill, pidfdOpen, pidfdSendSignal, type SyscallResult } from '../../libc/libc.js';
import { readProcStatSync } from '../../proc/stat.js';

export interface PinnedProcess {
  readonly pid: number;
  readonly startTime: number;
  signal(signal: number): SyscallResult;
  /** Close the pidfd; the pin signals nothing after this. */
  unpin(): void;
}

export function pinProcess(pid: number, startTime: number): PinnedProcess | undefined {
  const opened = pidfdOpen(pid);
  if (opened.errno !== undefined && opened.errno !== 'ENOSYS') return undefined; // ESRCH: gone already.
  const pidfd = opened.errno === undefined ? opened.value : undefined;
  const now = readProcStatSync(pid);
  if (now === undefined || now.startTime !== startTime) {
    if (pidfd !== undefined) closeFd(pidfd);
    return undefined;
  }
  let open = true;
  return {
    pid,
    startTime,
    signal: (signal) => {
      if (!open) return { value: -1, errno: 'ESRCH' };
      return pidfd === undefined ? kill(pid, signal) : pidfdSendSignal(pidfd, signal);
    },
    unpin: () => {
      if (open && pidfd !== undefined) closeFd(pidfd);
      open = false;
    },
  };
}
