/**
 * Finding corral's cgroup directories, for `corral sweep`: a walk of the
 * cgroup2 tree (by default from its mount) that recognises them by name (see
 * group-name.ts) and does not descend into them (what a group makes inside
 * itself, nested corral groups included, is torn down with it).
 * Directories that vanish or cannot be read during the walk are skipped:
 * the cgroup tree changes under our feet all the time.
 */
import { join } from 'node:path';
import { CgroupContainment, type CgroupSeams } from './cgroup-containment.js';
import { realCgroupFs } from './cgroup-fs.js';
import { parseGroupName, type GroupName } from './group-name.js';
import { locateHierarchy } from './hierarchy.js';
import { ownerIsAlive } from './owner.js';

export interface FoundGroupDir {
  path: string;
  name: GroupName;
  /** Whether the supervisor that made it still runs (asked afresh at each call). */
  ownerIsAlive(): boolean;
  /** The group as a containment, to look inside it and tear it down. */
  attach(): CgroupContainment;
}

/** `root`: where to search (default: the cgroup2 mount; undefined, with no group, when this host has none). */
export function findGroupDirs(
  root: string | undefined,
  seams: CgroupSeams = {},
): { root: string | undefined; groups: FoundGroupDir[] } {
  const from = root ?? locateHierarchy().mount?.mountPoint;
  const groups: FoundGroupDir[] = [];
  const pending = from === undefined ? [] : [from];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let children: string[];
    try {
      children = (seams.fs ?? realCgroupFs).childDirsSync(dir);
    } catch {
      continue;
    }
    for (const child of children) {
      const path = join(dir, child);
      const name = parseGroupName(child);
      if (name === undefined) pending.push(path);
      else {
        groups.push({
          path,
          name,
          ownerIsAlive: () => ownerIsAlive(name.ownerPid, name.ownerStartTime),
          attach: () => new CgroupContainment(path, seams),
        });
      }
    }
  }
  return { root: from, groups };
}
