/**
 * One trial: a fresh tagged tree under one contender, fully up, torn down
 * and timed, then whatever is left ended by tag and the contender's hold
 * released, whether the trial worked or not.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Contender, Tree } from '../contenders/contender.js';
import { waitForInitToReap } from './init-zombies.js';
import { killTaggedAndWait, newTag } from './leftovers.js';
import { timeTeardown, type Timing } from './measure.js';
import { waitForTree, type Member } from './tree-identity.js';

export type Teardown = 'hardKill' | 'shutdown';

/**
 * Pause between "the tree is up" and the teardown. The kernel rate-limits
 * cgroup.events notifications (about 10 ms per file), so a tree torn down
 * right after it entered its cgroup has its drain announced late; a tree
 * that has run for a while, the case worth measuring, does not.
 */
export const SETTLE_MS = 25;

export interface TrialResult extends Timing {
  /** Processes of the tree still alive after the contender was done (ended by the harness). */
  leftover: number;
}

/** Start `script` under `contender`, wait for `size` tagged processes, and hand the tree to `body`. */
export async function withTree<T>(
  contender: Contender,
  script: string,
  size: number,
  body: (tree: Tree, members: Member[], tag: string) => Promise<T>,
): Promise<T> {
  await waitForInitToReap();
  const { tag, env } = newTag();
  let tree: Tree | undefined;
  try {
    tree = await contender.start(script, env);
    const members = await waitForTree(tag, size);
    await sleep(SETTLE_MS);
    return await body(tree, members, tag);
  } finally {
    await killTaggedAndWait(tag);
    await tree?.dispose();
  }
}

export async function runTrial(
  contender: Contender,
  script: string,
  size: number,
  teardown: Teardown,
  capMs: number,
): Promise<TrialResult> {
  return withTree(contender, script, size, async (tree, members, tag) => {
    const timing = await timeTeardown(() => tree[teardown](), members, capMs);
    if (timing.capped) await contender.reset?.();
    const leftover = await killTaggedAndWait(tag);
    return { ...timing, leftover };
  });
}
