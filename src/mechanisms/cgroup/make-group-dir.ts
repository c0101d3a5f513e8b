/**
 * Making the group's directory. This is the permission test: whether this
 * process may create a cgroup where it wants one is only known by trying.
 * The name carries the owner's pid and start time (see group-name.ts).
 */
import { join } from 'node:path';
import { errnoOf } from '../../errors.js';
import { startTimeOf } from '../../proc/stat.js';
import type { CgroupFs } from './cgroup-fs.js';
import { formatGroupName } from './group-name.js';
import { removeFinishedSpared } from './remove-finished-spared.js';
import { mkdirUnavailable } from './unavailable.js';

let counter = 0;

export async function makeGroupDir(fs: CgroupFs, parent: string): Promise<string> {
  const ownerStartTime = startTimeOf(process.pid) ?? 0;
  for (;;) {
    const dir = join(
      parent,
      formatGroupName({ ownerPid: process.pid, ownerStartTime, counter: ++counter, spared: false }),
    );
    try {
      await fs.mkdir(dir);
      await removeFinishedSpared(fs, parent);
      return dir;
    } catch (error) {
      // A name of ours already taken: a directory left by an earlier module instance in this process. Take the next.
      if (errnoOf(error) === 'EEXIST') continue;
      throw mkdirUnavailable(dir, error) ?? error;
    }
  }
}
