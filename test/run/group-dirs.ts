/**
 * Test-side views of corral's cgroup directories: which ones a given owner
 * pid has under our cgroup (to prove none is left behind), and the clean-up
 * of trees a test deliberately kept (leftovers: 'keep'), which live on in a
 * `-spared` directory under the cgroup mechanism.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { locateHierarchy } from '../../src/mechanisms/cgroup/hierarchy.js';
import { parseGroupName } from '../../src/mechanisms/cgroup/group-name.js';
import { destroyCgroupDir } from '../cgroup/cgroup-kit.js';
import { findTagged, killTagged, waitUntilGone } from '../helpers/tagged-processes.js';

/** Our own cgroup directory (where groups are made by default), or undefined without cgroup v2. */
export function ownCgroupDir(): string | undefined {
  return locateHierarchy().ownCgroupPath;
}

/** Names of the group directories owned by `ownerPid` under our cgroup. */
export function groupDirsOf(ownerPid: number): string[] {
  const dir = ownCgroupDir();
  if (dir === undefined) return [];
  try {
    return readdirSync(dir).filter((name) => parseGroupName(name)?.ownerPid === ownerPid);
  } catch {
    return [];
  }
}

/** The cgroup directory a process is in, or undefined. */
function cgroupDirOf(pid: number): string | undefined {
  const mount = locateHierarchy().mount;
  if (mount === undefined) return undefined;
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    return line === undefined ? undefined : join(mount.mountPoint, line.slice(3));
  } catch {
    return undefined;
  }
}

/** Kills what bears `tag` (by pid) and removes the corral group directories those processes were in. */
export async function cleanUpKept(tag: string): Promise<void> {
  const dirs = new Set<string>();
  for (const pid of findTagged(tag)) {
    const dir = cgroupDirOf(pid);
    if (dir !== undefined && parseGroupName(basename(dir)) !== undefined) dirs.add(dir);
  }
  killTagged(tag);
  await waitUntilGone(tag);
  for (const dir of dirs) await destroyCgroupDir(dir);
}
