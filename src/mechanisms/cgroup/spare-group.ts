/**
 * Sparing a stood-down group: its members keep running, and its directory
 * must say "leave me alone" to `corral sweep`, which removes the directories
 * of dead owners. cgroup v2 refuses rename(2) (EPERM: a rename would be a
 * migration the kernel does not do), so the members are moved instead, into
 * a sibling named like the group plus `-spared`: the group is frozen first
 * (a frozen member cannot fork, so nobody is left behind), each member is
 * written into the new directory's cgroup.procs (which also thaws it: the new
 * directory is not frozen), and the emptied old directory is removed.
 * A member stopped by SIGSTOP stays stopped: freezing is not a signal.
 */
import { CorralError, describeError, errnoOf } from '../../errors.js';
import type { CgroupFs } from './cgroup-fs.js';
import { setFrozen } from './freeze.js';
import { removeGroupDir } from './remove-group-dir.js';
import { readMembers } from './signal-members.js';

const MOVE_ROUNDS = 10;

/** Moves the members of `dir` into `sparedDir` and removes `dir`. */
export async function spareGroup(fs: CgroupFs, dir: string, sparedDir: string): Promise<void> {
  let members = await readMembers(fs, dir).catch(() => []);
  if (members.length === 0) {
    await removeGroupDir(fs, dir);
    return;
  }
  await setFrozen(fs, dir, true).catch(() => {});
  try {
    await fs.mkdir(sparedDir);
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') {
      await setFrozen(fs, dir, false).catch(() => {});
      throw spareFailed(dir, error);
    }
  }
  for (let round = 0; round < MOVE_ROUNDS && members.length > 0; round++) {
    for (const pid of members) {
      await fs.writeFile(`${sparedDir}/cgroup.procs`, String(pid)).catch((error: unknown) => {
        if (errnoOf(error) !== 'ESRCH') throw spareFailed(dir, error);
      });
    }
    members = await readMembers(fs, dir);
  }
  if (members.length > 0) {
    await setFrozen(fs, dir, false).catch(() => {});
    throw new CorralError('ECGROUP_REMOVE', `could not move every spared member out of ${dir}: ${members.join(', ')} remain`, {
      pids: members,
      path: dir,
    });
  }
  await removeGroupDir(fs, dir);
}

function spareFailed(dir: string, error: unknown): CorralError {
  return new CorralError('ECGROUP_REMOVE', `could not move the spared members of ${dir}: ${describeError(error)}`, {
    path: dir,
    errnoCode: errnoOf(error),
    cause: error,
  });
}
