/**
 * Removing a drained group's directory, with whatever cgroups its members
 * made inside it, deepest first. rmdir answers EBUSY while the kernel still
 * counts a member (a task finishing its exit after `populated 0` was
 * reported, a css still being torn down), so each rmdir is retried with the
 * backoff poll, bounded on the mechanism's clock; after that it is an
 * ECGROUP_REMOVE error and the caller keeps the group registered so that
 * close() can be retried.
 */
import type { Clock } from '../../driver/clock.js';
import { poll } from '../../driver/poll.js';
import { type CorralError, errnoOf, failure } from '../../errors.js';
import { bestEffort, type CgroupFs } from './cgroup-fs.js';
import { subtreeDeepestFirst } from './subtree.js';

/** Total time one rmdir is retried on EBUSY. */
export const REMOVE_RETRY_MS = 2000;
const REMOVE_POLL_CEILING_MS = 100;

export async function removeSubtree(fs: CgroupFs, dir: string, clock: Clock): Promise<void> {
  for (const path of subtreeDeepestFirst(fs, dir)) await removeOne(fs, path, clock);
}

async function removeOne(fs: CgroupFs, dir: string, clock: Clock): Promise<void> {
  let busy: unknown;
  const removed = await poll(
    async () => {
      try {
        await fs.rmdir(dir);
        return true;
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return true;
        if (errnoOf(error) !== 'EBUSY') throw removeFailed(dir, error);
        busy = error;
        return undefined;
      }
    },
    { clock, deadline: clock.now() + REMOVE_RETRY_MS, ceilingMs: REMOVE_POLL_CEILING_MS },
  );
  if (!removed) throw removeFailed(dir, busy);
}

function removeFailed(dir: string, error: unknown): CorralError {
  return failure('ECGROUP_REMOVE', `could not remove the cgroup ${dir}`, error, { path: dir, syscall: 'rmdir' });
}

/** Best effort, without yielding: for process exit (what is still busy, the guard or `corral sweep` removes). */
export function removeSubtreeSync(fs: CgroupFs, dir: string): void {
  for (const path of subtreeDeepestFirst(fs, dir)) bestEffort(() => fs.rmdirSync(path));
}
