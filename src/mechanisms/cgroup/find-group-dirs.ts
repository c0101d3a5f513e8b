/**
 * Finding corral's cgroup directories, for `corral sweep`: a walk of the
 * cgroup2 tree that recognises them by name (see group-name.ts) and does not
 * descend into them (what a group makes inside itself, nested corral groups
 * included, is torn down with it).
 * Directories that vanish or cannot be read during the walk are skipped:
 * the cgroup tree changes under our feet all the time.
 */
import { join } from 'node:path';
import type { CgroupFs } from './cgroup-fs.js';
import { parseGroupName, type GroupName } from './group-name.js';

export interface FoundGroupDir {
  path: string;
  name: GroupName;
}

export function findGroupDirs(fs: CgroupFs, root: string): FoundGroupDir[] {
  const found: FoundGroupDir[] = [];
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let children: string[];
    try {
      children = fs.childDirsSync(dir);
    } catch {
      continue;
    }
    for (const child of children) {
      const path = join(dir, child);
      const name = parseGroupName(child);
      if (name) found.push({ path, name });
      else pending.push(path);
    }
  }
  return found;
}
