/**
 * The scale trial, run in a fresh Node process per contender so that its
 * peak memory is the supervisor's own and not the benchmark's history:
 * `groups` trees of `size` processes, all up, then all torn down at once.
 * Arguments: contender id, groups, size, cap in ms; the tag comes in
 * SCALE_TAG (this process does not bear it itself, so it can end its trees
 * by tag without ending itself). One JSON line on stdout is the result.
 */
import type { Tree } from '../contenders/contender.js';
import { CONTENDER_IDS, makeContender, type ContenderId } from '../contenders/registry.js';
import { cleanUpEverything, killTaggedAndWait } from '../lib/leftovers.js';
import { timeTeardown } from '../lib/measure.js';
import { waitForTree } from '../lib/tree-identity.js';
import { flatTreeScript } from '../lib/tree-script.js';
import { SCALE_TAG, type ScaleWorkerResult } from './scale.js';
import { TAG_VARIABLE } from '../../test/helpers/tagged-processes.js';

const MIB = 2 ** 20;

async function main(): Promise<ScaleWorkerResult> {
  const [id, groupsArgument, sizeArgument, capArgument] = process.argv.slice(2);
  const tag = process.env[SCALE_TAG];
  if (!CONTENDER_IDS.includes(id as ContenderId) || tag === undefined)
    throw new Error(`usage: scale-worker <${CONTENDER_IDS.join('|')}> <groups> <size> <capMs>, tagged`);
  const contender = makeContender(id as ContenderId);
  const groups = Number(groupsArgument);
  const size = Number(sizeArgument);
  const idleRss = process.memoryUsage.rss();
  let peakRss = idleRss;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 2);
  const trees: Tree[] = [];
  try {
    const env = { ...process.env, [TAG_VARIABLE]: tag };
    for (let i = 0; i < groups; i++) trees.push(await contender.start(flatTreeScript(size), env));
    const members = await waitForTree(tag, groups * size, 120_000);
    const timing = await timeTeardown(
      async () => {
        await Promise.all(trees.map((tree) => tree.hardKill()));
      },
      members,
      Number(capArgument),
    );
    sample();
    const result: ScaleWorkerResult = {
      ms: timing.ms,
      capped: timing.capped,
      peakRssMb: peakRss / MIB,
      idleRssMb: idleRss / MIB,
    };
    if (timing.error) result.error = timing.error;
    return result;
  } finally {
    clearInterval(sampler);
    await killTaggedAndWait(tag);
    await Promise.allSettled(trees.map((tree) => tree.dispose()));
    await contender.close?.();
    await cleanUpEverything();
  }
}

main().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ ms: Number.NaN, capped: false, peakRssMb: Number.NaN, idleRssMb: Number.NaN, error: String(error) })}\n`,
    );
    process.exit(1);
  },
);
