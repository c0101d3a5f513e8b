/**
 * A group's whole subtree. Members may make cgroups of their own inside the
 * group (a test runner that itself uses corral, a container runtime,
 * systemd-run in a build), and cgroup.procs lists only a directory's own
 * processes: so every operation that looks at members walks the subtree,
 * and removal goes deepest first (rmdir of a cgroup with children is EBUSY).
 * cgroup.kill, cgroup.freeze and `populated` are hierarchical already.
 * The tree changes under our feet: a directory that vanishes during a walk
 * has nothing in it any more and is skipped.
 */
import { join } from 'node:path';
import { errnoOf } from '../../errors.js';
import { parsePids, type CgroupFs } from './cgroup-fs.js';

/** Every cgroup directory of the subtree at `dir`, deepest first, `dir` last. */
export function subtreeDeepestFirst(fs: CgroupFs, dir: string): string[] {
  const order: string[] = [];
  const visit = (path: string) => {
    let children: string[] = [];
    try {
      children = fs.childDirsSync(path);
    } catch {
      // Gone meanwhile: nothing below it.
    }
    for (const child of children) visit(join(path, child));
    order.push(path);
  };
  visit(dir);
  return order;
}

/**
 * The live members of the whole subtree; none when it is gone. Read inline:
 * cgroupfs is served from kernel memory (see cgroup-fs.ts), and the exit
 * path cannot yield.
 */
export function readSubtreeMembers(fs: CgroupFs, dir: string): number[] {
  return subtreeDeepestFirst(fs, dir).flatMap((path) => {
    try {
      return parsePids(fs.readFileSync(`${path}/cgroup.procs`));
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw error;
    }
  });
}
