import { closeSync } from 'node:fs';

/** Close a descriptor we opened through a raw syscall (a pidfd); EBADF is ignored. */
export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed: nothing to release.
  }
}
