/**
 * Finding corral's cgroup directories: a walk of the cgroup2 tree that
 * recognises them by name (see src/mechanisms/cgroup/group-name.ts) and does
 * not descend into them (what a group makes inside itself is its own).
 * Directories that vanish or cannot be read during the walk are skipped:
 * the cgroup tree changes under our feet all the time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseGroupName, type GroupName } from '../mechanisms/cgroup/group-name.js';

export interface FoundGroupDir {
  path: string;
  name: GroupName;
}

export function findGroupDirs(root: string): FoundGroupDir[] {
  const found: FoundGroupDir[] = [];
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      const name = parseGroupName(entry.name);
      if (name) found.push({ path, name });
      else pending.push(path);
    }
  }
  return found;
}
