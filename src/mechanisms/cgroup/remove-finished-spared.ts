/**
 * A `-spared` directory holds the members of a stood-down group (a run with
 * `leftovers: 'keep'`) after its owner has closed it. Once those members have
 * ended, nothing ever removes it: its owner has closed the group and is
 * usually gone, and `corral sweep` is not run by everybody. So whenever corral
 * makes a group, it removes the empty spared siblings of dead owners beside
 * it. Only of dead owners: a live one may be between making its spared
 * directory and moving the members in, when the directory is briefly empty.
 * Best effort: a directory that cannot go now goes another time.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerIsAlive } from './owner.js';
import type { CgroupFs } from './cgroup-fs.js';
import { readEvents } from './cgroup-events.js';
import { parseGroupName } from './group-name.js';

export async function removeFinishedSpared(fs: CgroupFs, parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => []);
  for (const name of names) {
    const group = parseGroupName(name);
    if (group === undefined || !group.spared || ownerIsAlive(group.ownerPid, group.ownerStartTime)) continue;
    const dir = join(parent, name);
    // populated covers the whole subtree; rmdir refuses a directory with sub-cgroups (EBUSY), left for the sweep.
    if ((await readEvents(fs, dir).catch(() => ({ populated: true }))).populated) continue;
    await fs.rmdir(dir).catch(() => undefined);
  }
}
