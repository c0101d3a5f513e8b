/**
 * How late a graceful drain is noticed. The tree is `count` sleeps, each a
 * direct child of this process, so Node's own 'exit' event of the last one
 * marks when the tree really ended; the latency is from that moment to the
 * shutdown call returning. Both are seen by the same event loop, so a
 * figure slightly below zero means "noticed in the same loop turn as Node
 * reaped the last child": that event itself trails the death by the time
 * Node takes to handle SIGCHLD, a fraction of a millisecond.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ChildrenTree, Contender } from '../contenders/contender.js';
import { killTaggedAndWait, newTag } from '../lib/leftovers.js';
import { summarize } from '../lib/stats.js';
import { waitForTree } from '../lib/tree-identity.js';
import { SETTLE_MS } from '../lib/trial.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cell } from '../report/results.js';
import { progress } from './progress.js';
import { roundOrder } from './sized-suite.js';

async function oneRound(contender: Contender, count: number): Promise<number> {
  const { tag, env } = newTag();
  let tree: ChildrenTree | undefined;
  try {
    tree = await contender.startChildren!(count, env);
    await waitForTree(tag, count);
    await sleep(SETTLE_MS);
    const exits = tree.children.map((child) => once(child, 'exit').then(() => performance.now()));
    await tree.shutdown();
    const noticed = performance.now();
    const lastExit = Math.max(...(await Promise.all(exits)));
    return noticed - lastExit;
  } finally {
    await killTaggedAndWait(tag);
    await tree?.dispose();
  }
}

export async function runDrainLatency(
  contenders: readonly Contender[],
  rounds: number,
  count: number,
): Promise<Cell[]> {
  const able = contenders.filter((c) => c.startChildren);
  const cells = new Map(
    able.map((c) => [
      c.id,
      {
        contender: c.id,
        label: c.label,
        size: count,
        samples: [] as number[],
        capped: false,
        leftover: 0,
        errors: [] as string[],
      },
    ]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const contender of roundOrder(able, round)) {
      progress(`drain latency round ${round + 1}/${rounds}: ${contender.label}`);
      const cell = cells.get(contender.id)!;
      try {
        cell.samples.push(await oneRound(contender, count));
      } catch (error) {
        cell.samples.push(Number.NaN);
        cell.errors.push(String(error));
      }
    }
  }
  return [...cells.values()].map((cell) => ({ ...cell, summary: summarize(cell.samples) }));
}
