/**
 * `npm run bench [-- --quick]`: corral against the kernel's own primitives,
 * tree-kill and execa. Prints the markdown tables on stdout (progress goes
 * to stderr) and rewrites bench/results.json, bench/results.md,
 * bench/teardown.svg and docs/performance.md from the same run.
 * `npm run bench -- --only fallback|scale|vitest-pool` measures that one
 * target and prints its table and verdict, rewriting no file.
 *
 * Every process it starts is tagged and every cgroup directory noted, and
 * both are cleaned up after each trial, at the end, on Ctrl-C and on a
 * crash (bench/lib/leftovers.ts).
 */
import { writeFileSync } from 'node:fs';
import { PERFORMANCE_DOC, replaceGeneratedBlock } from '../scripts/generated-block.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender } from './contenders/contender.js';
import { makeContender, type ContenderId } from './contenders/registry.js';
import { cleanUpEverything, cleanUpSync } from './lib/leftovers.js';
import { describeHost } from './lib/host.js';
import { flatTreeScript } from './lib/tree-script.js';
import { runTrial } from './lib/trial.js';
import { performanceDoc, resultsMarkdown } from './report/markdown.js';
import type { Results } from './report/results.js';
import { teardownSvg } from './report/svg.js';
import { judgeTargets } from './report/targets.js';
import { runContainment } from './suites/containment.js';
import { runRestarts } from './suites/restarts.js';
import { runServerStackContainment } from './suites/server-stack.js';
import { runDrainLatency } from './suites/drain-latency.js';
import { progress } from './suites/progress.js';
import { runScale } from './suites/scale.js';
import { fallbackRatios, ratiosAgainst, runSizedSuite } from './suites/sized-suite.js';
import { runSpawnOverhead } from './suites/spawn-overhead.js';
import { runCliStartup } from './suites/cli-startup.js';
import { runVitestPool } from './suites/vitest-pool.js';
import { fallbackSection, scaleSection, verdicts, vitestPoolSection } from './report/markdown.js';
import { fallbackTargets, FALLBACK_SIZES, scaleTarget, vitestPoolTarget } from './report/targets.js';
import { chartSeries } from './report/chart-series.js';

const BENCH = dirname(fileURLToPath(import.meta.url));

const FULL = {
  sizes: [10, 100, 1000],
  repetitions: 7,
  capMs: 10_000,
  drainRounds: 21,
  spawnRounds: 200,
  cliRounds: 40,
  scaleGroups: 200,
  scaleRuns: 5,
  vitestRounds: 6,
};
const QUICK = {
  sizes: [10, 100],
  repetitions: 3,
  capMs: 3_000,
  drainRounds: 9,
  spawnRounds: 40,
  cliRounds: 10,
  scaleGroups: 50,
  scaleRuns: 1,
  vitestRounds: 2,
};
/** --quick keeps the scale test to the cgroup contenders: each scale run is a fresh Node process. */
const QUICK_SCALE_IDS: ContenderId[] = ['kernel-cgroup', 'corral-cgroup'];
const DRAIN_CHILDREN = 10;
const SCALE_GROUP_SIZE = 5;

const TEARDOWN_IDS: ContenderId[] = [
  'kernel-cgroup',
  'kernel-killpg',
  'corral-cgroup',
  'corral-pgroup',
  'tree-kill',
  'execa',
];
const FALLBACK_IDS: ContenderId[] = ['kernel-killpg', 'corral-pgroup'];
/** The scale row the issue compares: corral (pgroup) against a raw cgroup.kill, each run a fresh process. */
const ONLY_SCALE_IDS: ContenderId[] = ['kernel-cgroup', 'corral-pgroup'];
const ONLY_SCALE_RUNS = 7;
const QUICK_ONLY_SCALE_RUNS = 3;
const SCALE_IDS: ContenderId[] = ['kernel-cgroup', 'kernel-killpg', 'corral-cgroup', 'corral-pgroup', 'execa'];

/** A contender that cannot stop a one-process tree here is left out of every table, with the reason. */
async function probe(contender: Contender, capMs: number): Promise<string | undefined> {
  try {
    const trial = await runTrial(contender, flatTreeScript(1), 1, 'hardKill', capMs);
    if (trial.error) return trial.error;
    if (trial.capped) return 'a one-process tree was not stopped within the cap';
    return undefined;
  } catch (error) {
    return String(error);
  }
}

/** `--only fallback`: the killpg floor and corral (pgroup), hard kill and graceful at N = 10, 100, 1000; tables and verdicts on stdout. */
async function onlyFallback(repetitions: number, capMs: number): Promise<void> {
  const contenders = FALLBACK_IDS.map(makeContender);
  try {
    const hardKill = await runSizedSuite(contenders, FALLBACK_SIZES, repetitions, capMs, 'hardKill');
    const graceful = await runSizedSuite(contenders, FALLBACK_SIZES, repetitions, capMs, 'shutdown');
    const targets = fallbackTargets(fallbackRatios(hardKill, graceful));
    process.stdout.write(`${fallbackSection(hardKill, graceful, repetitions)}\n\n${verdicts(targets)}`);
  } finally {
    for (const contender of contenders) await contender.close?.();
    await cleanUpEverything();
  }
}

/** `--only scale`: the scale row of cgroup.kill + inotify and corral (pgroup), interleaved; table and verdict on stdout. */
async function onlyScale(runs: number, capMs: number): Promise<void> {
  try {
    const scale = await runScale(
      ONLY_SCALE_IDS.map((id) => ({ id, label: makeContender(id).label })),
      FULL.scaleGroups,
      SCALE_GROUP_SIZE,
      runs,
      capMs,
    );
    process.stdout.write(`${scaleSection(scale, runs)}\n\n${verdicts([scaleTarget(scale)])}`);
  } finally {
    await cleanUpEverything();
  }
}

/** `--only vitest-pool`: that target alone, its table and verdict on stdout; no result file is rewritten. */
async function onlyVitestPool(rounds: number): Promise<void> {
  try {
    const { cells, ratios } = await runVitestPool(join(BENCH, '..'), rounds);
    const target = vitestPoolTarget(ratios);
    process.stdout.write(`${vitestPoolSection(cells, ratios)}\n\n${verdicts([target])}`);
  } finally {
    await cleanUpEverything();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const config = quick ? QUICK : FULL;
  const only = process.argv[process.argv.indexOf('--only') + 1];
  if (process.argv.includes('--only')) {
    if (only === 'vitest-pool') return onlyVitestPool(config.vitestRounds);
    if (only === 'fallback') return onlyFallback(config.repetitions, config.capMs);
    if (only === 'scale') return onlyScale(quick ? QUICK_ONLY_SCALE_RUNS : ONLY_SCALE_RUNS, config.capMs);
    throw new Error(`--only: unknown target ${JSON.stringify(only)}; known: fallback, scale, vitest-pool`);
  }
  const host = await describeHost();
  progress(`host: ${host.cpu}, Linux ${host.kernel}, ${host.distribution}, ${host.cgroupLayout}`);

  const all = new Map<ContenderId, Contender>();
  const unavailable: Results['unavailable'] = [];
  for (const id of [...TEARDOWN_IDS, 'poll-20ms'] as ContenderId[]) {
    const contender = makeContender(id);
    const reason = await probe(contender, config.capMs);
    if (reason === undefined) all.set(id, contender);
    else {
      unavailable.push({ contender: contender.label, reason });
      progress(`${contender.label} is not available: ${reason}`);
      await contender.close?.();
    }
  }
  const pick = (ids: readonly ContenderId[]) => ids.flatMap((id) => (all.has(id) ? [all.get(id) as Contender] : []));

  try {
    const teardown = await runSizedSuite(
      pick(TEARDOWN_IDS),
      config.sizes,
      config.repetitions,
      config.capMs,
      'hardKill',
    );
    const gracefulIds: ContenderId[] = [...TEARDOWN_IDS, 'poll-20ms'];
    const graceful = await runSizedSuite(pick(gracefulIds), config.sizes, config.repetitions, config.capMs, 'shutdown');
    const drainLatency = await runDrainLatency(
      pick(['kernel-cgroup', 'poll-20ms', 'corral-cgroup', 'corral-pgroup']),
      config.drainRounds,
      DRAIN_CHILDREN,
    );
    const mechanisms = (['cgroup', 'pgroup'] as const).filter((m) => all.has(`corral-${m}`));
    const spawn = await runSpawnOverhead(mechanisms, config.spawnRounds);
    const cli = await runCliStartup(join(BENCH, '..'), config.cliRounds);
    const containment = await runContainment(pick(TEARDOWN_IDS), config.capMs);
    const restarts = await runRestarts();
    const serverStack = await runServerStackContainment();
    const vitestPool = await runVitestPool(join(BENCH, '..'), config.vitestRounds);
    const scale = await runScale(
      pick(quick ? QUICK_SCALE_IDS : SCALE_IDS).map((c) => ({ id: c.id as ContenderId, label: c.label })),
      config.scaleGroups,
      SCALE_GROUP_SIZE,
      config.scaleRuns,
      config.capMs,
    );

    const teardownRatios = ratiosAgainst(teardown, 'kernel-cgroup');
    const gracefulRatios = ratiosAgainst(graceful, 'kernel-cgroup');
    const results: Results = {
      generatedAt: new Date().toISOString(),
      quick,
      host,
      config,
      unavailable,
      teardown,
      teardownRatios,
      graceful,
      gracefulRatios,
      drainLatency,
      spawn: spawn.cells,
      spawnRatios: spawn.ratios,
      cliStartup: cli.cells,
      cliStartupRatios: cli.ratios,
      containment,
      restarts,
      serverStack,
      scale,
      vitestPool: vitestPool.cells,
      vitestPoolRatios: vitestPool.ratios,
      targets: judgeTargets({
        teardownRatios,
        treeKillRatios: ratiosAgainst(teardown, 'corral-cgroup'),
        drainLatency,
        spawnRatios: spawn.ratios,
        cliStartupRatios: cli.ratios,
        fallbackRatios: fallbackRatios(teardown, graceful),
        containment,
        scale,
        vitestPoolRatios: vitestPool.ratios,
      }),
    };

    const markdown = resultsMarkdown(results);
    process.stdout.write(markdown);
    writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(BENCH, 'results.md'), markdown);
    writeFileSync(
      join(BENCH, 'teardown.svg'),
      teardownSvg(chartSeries(teardown), `Hard-kill teardown, median of ${config.repetitions}`),
    );
    replaceGeneratedBlock(PERFORMANCE_DOC, 'bench', performanceDoc(results));
    progress('wrote bench/results.json, bench/results.md, bench/teardown.svg, docs/performance.md');
  } finally {
    for (const contender of all.values()) await contender.close?.();
    await cleanUpEverything();
  }
}

process.on('exit', cleanUpSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUpSync();
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
