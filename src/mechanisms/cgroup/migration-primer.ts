/**
 * Paying the kernel's first-migration wait early, off the main thread (why
 * and what it saves: docs/mechanisms.md, "Starting children without a race",
 * and docs/performance.md, "CLI start-up"). Moving a process into a cgroup
 * takes a kernel-wide lock that, after a quiet spell, first waits an RCU
 * grace period, with the main thread blocked in write(2). So, as a group is
 * being made, this process moves itself into the cgroup it is already in
 * (which changes nothing), with a write made in libuv's thread pool: the
 * wait is paid there while the main thread goes on, and the shim's own
 * placement that follows finds the lock's fast path.
 *
 * Safety, because a move of this process is not something to get wrong:
 * - only our own cgroup, as /proc/self/cgroup names it, read just before,
 *   and only a plain domain cgroup (or the root, which has no cgroup.type):
 *   writing cgroup.procs of a threaded cgroup would gather threads that
 *   someone had spread over a threaded subtree;
 * - a move by someone else between that read and the write would be undone
 *   by it, and corral itself makes one such move: entering a systemd scope.
 *   The scope keeper therefore waits for any write in flight first
 *   (primerSettled());
 * - every failure is ignored (EACCES where our cgroup is not ours to write,
 *   EROFS in a container, anything else): the only cost is the wait that
 *   the priming would have saved.
 * What is not covered: a program of its own that moves this process to
 * another cgroup in the instant the write is queued (libuv's pool busy with
 * other work) would find itself moved back. The write is queued as the
 * group is made and done within one grace period; a program that moves
 * itself should do so before it makes its groups.
 */
import { constants, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  // O_WRONLY without O_CREAT, as cgroup-fs.ts writes (Node takes the number; the types declare strings).
  inFlight = writeFile(join(own, 'cgroup.procs'), String(process.pid), {
    flag: constants.O_WRONLY as unknown as string,
  })
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
