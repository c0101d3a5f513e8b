/**
 * Spawn overhead: `true` from the spawn call to its 'exit' event, through
 * group.spawn and through plain child_process.spawn, alternating (ABBA) in
 * the same run so the ratio of each pair cancels machine drift.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ProcessGroup } from '../../src/index.js';
import { killTaggedAndWait, newTag } from '../lib/leftovers.js';
import { alternatingOrder, pairedRatios, summarize } from '../lib/stats.js';
import type { Cell, Ratio } from '../report/results.js';
import { progress } from './progress.js';

const PLAIN = 'child_process.spawn';

async function timeToExit(start: () => ChildProcess): Promise<number> {
  const began = performance.now();
  const child = start();
  await once(child, 'exit');
  return performance.now() - began;
}

function cell(contender: string, label: string, samples: number[], errors: string[] = []): Cell {
  return { contender, label, size: 1, samples, summary: summarize(samples), capped: false, leftover: 0, errors };
}

export async function runSpawnOverhead(
  mechanisms: ReadonlyArray<'cgroup' | 'pgroup'>,
  rounds: number,
): Promise<{ cells: Cell[]; ratios: Ratio[] }> {
  const cells: Cell[] = [];
  const ratios: Ratio[] = [];
  for (const mechanism of mechanisms) {
    const id = `corral-${mechanism}`;
    progress(`spawn overhead: ${id} against ${PLAIN}, ${rounds} pairs`);
    const { tag, env } = newTag();
    const plain: number[] = [];
    const grouped: number[] = [];
    let group: ProcessGroup | undefined;
    try {
      group = await ProcessGroup.create({ mechanism });
      const inGroup = group;
      const runPlain = async () => plain.push(await timeToExit(() => spawn('true', [], { env, stdio: 'ignore' })));
      const runGrouped = async () =>
        grouped.push(await timeToExit(() => inGroup.spawn('true', [], { env, stdio: 'ignore' })));
      for (let round = 0; round < rounds; round++) {
        for (const run of alternatingOrder(round, runPlain, runGrouped)) await run();
      }
      cells.push(
        cell(`${PLAIN} (paired with ${id})`, `${PLAIN} (paired with ${id})`, plain),
        cell(id, `corral (${mechanism}) group.spawn`, grouped),
      );
      ratios.push({
        contender: id,
        baseline: PLAIN,
        size: 1,
        summary: summarize(pairedRatios(grouped, plain)),
        atLeast: false,
      });
    } catch (error) {
      cells.push(cell(id, `corral (${mechanism}) group.spawn`, [], [String(error)]));
    } finally {
      await group?.close().catch(() => undefined);
      await killTaggedAndWait(tag);
    }
  }
  return { cells, ratios };
}
