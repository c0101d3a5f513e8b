/**
 * Sparing a stood-down group: its members keep running, in a sibling named
 * like the group plus `-spared`, which `corral sweep` leaves alone. cgroup v2
 * refuses rename(2) (EPERM: a rename would be a migration the kernel does not
 * do), so the members are moved: the group is frozen first (a frozen member
 * cannot fork, so nobody is left behind), then each member is written into the
 * matching directory of the new subtree (sub-cgroups the members made are made
 * again there), which also thaws it. A member stopped by SIGSTOP stays stopped.
 */
import type { Clock } from '../../driver/clock.js';
import { CorralError, errnoOf, failure, spareIncomplete } from '../../errors.js';
import { parsePids, type CgroupFs } from './cgroup-fs.js';
import { setFrozen } from './freeze.js';
import { removeSubtree } from './remove-group-dir.js';
import { readSubtreeMembers, subtreeDeepestFirst } from './subtree.js';

const MOVE_ROUNDS = 10;

/** Moves the members of the subtree at `dir` into the same places under `sparedDir`, and removes `dir`. */
export async function spareGroup(fs: CgroupFs, dir: string, sparedDir: string, clock: Clock): Promise<void> {
  try {
    await moveSubtree(fs, dir, sparedDir, clock);
    await removeSubtree(fs, dir, clock);
  } catch (error) {
    if (error instanceof CorralError) throw error;
    throw failure('ECGROUP_REMOVE', `could not move the spared members of ${dir}`, error, { path: dir });
  }
}

async function moveSubtree(fs: CgroupFs, dir: string, sparedDir: string, clock: Clock): Promise<void> {
  if (readSubtreeMembers(fs, dir).length === 0) return;
  await setFrozen(fs, dir, true, clock).catch(() => {});
  try {
    // Parents first: a directory is made before its children.
    const places = subtreeDeepestFirst(fs, dir)
      .reverse()
      .map((from) => ({ from, to: sparedDir + from.slice(dir.length) }));
    for (const { to } of places) {
      await fs.mkdir(to).catch((error: unknown) => {
        if (errnoOf(error) !== 'EEXIST') throw error;
      });
    }
    let left: number[] = [];
    for (let round = 0; round < MOVE_ROUNDS; round++) {
      left = [];
      for (const { from, to } of places) {
        const pids = parsePids(await fs.readFile(`${from}/cgroup.procs`).catch(() => ''));
        left.push(...pids);
        for (const pid of pids) {
          await fs.writeFile(`${to}/cgroup.procs`, String(pid)).catch((error: unknown) => {
            if (errnoOf(error) !== 'ESRCH') throw error;
          });
        }
      }
      if (left.length === 0) return;
    }
    throw spareIncomplete(dir, left);
  } finally {
    // Only what could not be moved is still in it: let it run on.
    await setFrozen(fs, dir, false, clock).catch(() => {});
  }
}
