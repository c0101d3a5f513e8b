/**
 * Tearing down one stale group's cgroup: count and kill what is inside
 * (cgroup.kill, or the cgroup mechanism's freeze-and-sweep fallback), wait,
 * bounded, for `populated 0`, then remove the directory, sub-cgroups the tree
 * made itself first (deepest first), with the cgroup mechanism's bounded
 * retry on EBUSY.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CorralError } from '../errors.js';
import type { CgroupFs } from '../mechanisms/cgroup/cgroup-fs.js';
import { readEvents } from '../mechanisms/cgroup/cgroup-events.js';
import { hardKillCgroup } from '../mechanisms/cgroup/hard-kill.js';
import { removeGroupDir } from '../mechanisms/cgroup/remove-group-dir.js';
import { readMembers } from '../mechanisms/cgroup/signal-members.js';

/** Every cgroup directory in the subtree at `dir`, deepest first, `dir` last. */
function subtreeDeepestFirst(dir: string): string[] {
  const order: string[] = [];
  const visit = (path: string) => {
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      // Gone meanwhile: nothing below it.
    }
    for (const entry of entries) if (entry.isDirectory()) visit(join(path, entry.name));
    order.push(path);
  };
  visit(dir);
  return order;
}

/** Live members of the whole subtree (the pids that the kill will end). */
export async function countMembers(fs: CgroupFs, dir: string): Promise<number> {
  let count = 0;
  for (const path of subtreeDeepestFirst(dir)) count += (await readMembers(fs, path).catch(() => [])).length;
  return count;
}

async function waitUntilEmpty(fs: CgroupFs, dir: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let interval = 1;
  for (;;) {
    if (!(await readEvents(fs, dir)).populated) return true;
    if (performance.now() >= deadline) return false;
    await delay(interval);
    interval = Math.min(interval * 2, 50);
  }
}

/** Kills whatever is in `dir` and removes it; resolves with how many processes were killed. */
export async function removeStaleGroup(fs: CgroupFs, dir: string, killTimeout: number, removeRetryMs: number): Promise<number> {
  const killed = await countMembers(fs, dir);
  if (killed > 0) await hardKillCgroup(fs, dir);
  if (!(await waitUntilEmpty(fs, dir, killTimeout))) {
    const pids = await readMembers(fs, dir).catch(() => []);
    throw new CorralError('EKILL_TIMEOUT', `${dir} still has members ${killTimeout} ms after its kill: ${pids.join(', ')}`, {
      path: dir,
      pids,
    });
  }
  for (const path of subtreeDeepestFirst(dir)) await removeGroupDir(fs, path, removeRetryMs);
  return killed;
}
