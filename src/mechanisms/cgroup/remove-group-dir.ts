/**
 * Removing a drained group's directory. rmdir answers EBUSY while the kernel
 * still counts a member (a task finishing its exit after `populated 0` was
 * reported, a css still being torn down), so it is retried with a doubling
 * backoff, bounded; after that it is an ECGROUP_REMOVE error and the caller
 * keeps the group registered so that close() can be retried.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CorralError, describeError, errnoOf } from '../../errors.js';
import type { CgroupFs } from './cgroup-fs.js';

/** Total time rmdir is retried on EBUSY. */
export const REMOVE_RETRY_MS = 2000;

export async function removeGroupDir(fs: CgroupFs, dir: string, retryMs = REMOVE_RETRY_MS): Promise<void> {
  const deadline = performance.now() + retryMs;
  let interval = 1;
  for (;;) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'ENOENT') return;
      if (errno !== 'EBUSY' || performance.now() >= deadline) {
        throw new CorralError('ECGROUP_REMOVE', `could not remove the cgroup ${dir}: ${describeError(error)}`, {
          path: dir,
          syscall: 'rmdir',
          errnoCode: errno,
          cause: error,
        });
      }
    }
    await delay(Math.min(interval, Math.max(1, deadline - performance.now())));
    interval = Math.min(interval * 2, 100);
  }
}

/** Best effort, without yielding: for process exit. */
export function removeGroupDirSync(fs: CgroupFs, dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // Still busy or already gone: the guard or `corral sweep` removes what is left.
  }
}
