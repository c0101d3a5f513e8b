/**
 * Paying the kernel's first-migration wait early, off the main thread: moving
 * a process into a cgroup takes a kernel-wide lock that, after a quiet spell,
 * first waits an RCU grace period. So, as a group is being made, this process
 * moves itself into the cgroup it is already in (which changes nothing), with
 * a write in libuv's thread pool: the wait is paid there, and the shim's own
 * placement that follows finds the lock's fast path (what it saves:
 * docs/mechanisms.md, "Starting children without a race").
 *
 * Safety, because a move of this process is not something to get wrong:
 * - only our own cgroup, as /proc/self/cgroup names it just before, and only a
 *   plain domain cgroup (or the root, which has no cgroup.type): writing
 *   cgroup.procs of a threaded cgroup would gather threads that someone had
 *   spread over a threaded subtree;
 * - a move by someone else between that read and the write would be undone by
 *   it; corral's own such move, entering a systemd scope, waits for any write
 *   in flight first (primerSettled());
 * - every failure is ignored (EACCES, EROFS, anything else): the only cost is
 *   the wait that the priming would have saved.
 * Not covered: a program that moves this process itself in the instant the
 * write is queued would be moved back; it should move before making groups.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WRITE_ONLY } from './cgroup-fs.js';
import { locateHierarchy } from './hierarchy.js';

let inFlight: Promise<void> | undefined;

/**
 * Start the self-move, unless one is still in flight. Never throws, never
 * blocks on the kernel's wait. `ownDir`: our own cgroup's directory when the
 * caller has just located it (saves reading mountinfo again).
 */
export function primeMigration(ownDir?: string): void {
  if (inFlight) return;
  const own = ownDomainCgroupDir(ownDir);
  if (own === undefined) return;
  inFlight = writeFile(join(own, 'cgroup.procs'), String(process.pid), WRITE_ONLY)
    .catch(() => undefined)
    .finally(() => {
      inFlight = undefined;
    });
}

/** Whether a self-move is in flight (for the scope keeper's test). */
export function primerInFlight(): boolean {
  return inFlight !== undefined;
}

/** Resolves once no self-move is in flight: before anything else moves this process. */
export async function primerSettled(): Promise<void> {
  await inFlight;
}

function ownDomainCgroupDir(known: string | undefined): string | undefined {
  try {
    const dir = known ?? locateHierarchy().ownCgroupPath;
    if (dir === undefined) return undefined;
    let type = 'domain';
    try {
      type = readFileSync(join(dir, 'cgroup.type'), 'utf8').trim();
    } catch {
      // The root cgroup has no cgroup.type: it is a domain.
    }
    return type === 'domain' ? dir : undefined;
  } catch {
    return undefined;
  }
}
