/**
 * npm run stress [-- --cycles N --seed S --concurrency C --mechanism both|cgroup|pgroup
 *                   --groups N --deaths N --zombie-jobs N --json FILE --write-doc]
 *
 * Proof under load (see test/stress): prints the "Reliability" table from
 * the run's own figures; --json writes the whole report, --write-doc puts the
 * table into docs/reliability.md. Exits 1 when anything failed; the
 * seed printed first replays the run. --from FILE re-renders a saved report.
 * Then the zombie soak (test/fixtures/zombie-soak.ts, --zombie-jobs, 0 to
 * skip): as uid 65534 when run as root, jobs that leave dying orphans
 * beside plain children; no failed fork, no lost exit code, the zombies at
 * every sample within the soak's bound and none left, and RSS flat within
 * 10% after warm-up (see rssGrowth).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomSeed } from '../test/stress/random.js';
import { renderTable, writeTableInto, type StressReport } from '../test/stress/report-table.js';
import { RELIABILITY_DOC } from './generated-block.js';
import type { SoakResult } from '../test/fixtures/zombie-soak.js';
import { runStress } from '../test/stress/stress-run.js';

const DOC = RELIABILITY_DOC;
/** The zombie soak's memory bound (issue 29): RSS flat after warm-up, within 10%. */
const RSS_GROWTH = 0.1;

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    mechanism: { type: 'string', default: 'both' },
    groups: { type: 'string', default: '200' },
    deaths: { type: 'string', default: '10' },
    'zombie-jobs': { type: 'string', default: '10000' },
    json: { type: 'string' },
    'write-doc': { type: 'boolean', default: false },
    from: { type: 'string' },
  },
});

// --from FILE: the table of an earlier run's --json report, without running again.
if (values.from) {
  const saved = JSON.parse(readFileSync(values.from, 'utf8')) as StressReport & {
    zombies?: { rows: Array<[string, string]> };
  };
  const table = withRows(renderTable(saved), saved.zombies?.rows ?? []);
  console.log(table);
  if (values['write-doc']) writeTableInto(DOC, table);
  process.exit(0);
}

function positiveInteger(name: string, text: string | undefined, allowZero = false): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    console.error(
      `stress: --${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(text)}`,
    );
    process.exit(2);
  }
  return value;
}

const mechanism = values.mechanism;
if (mechanism !== 'both' && mechanism !== 'cgroup' && mechanism !== 'pgroup') {
  console.error(`stress: --mechanism must be both, cgroup or pgroup, got ${JSON.stringify(mechanism)}`);
  process.exit(2);
}
const seed = values.seed === undefined ? randomSeed() : positiveInteger('seed', values.seed, true);
console.log(`stress: seed ${seed} (replay with --seed ${seed})`);

const report = await runStress({
  cycles: positiveInteger('cycles', values.cycles),
  seed,
  concurrency: positiveInteger('concurrency', values.concurrency),
  mechanisms: mechanism === 'both' ? ['cgroup', 'pgroup'] : [mechanism],
  manyGroups: positiveInteger('groups', values.groups),
  deaths: positiveInteger('deaths', values.deaths, true),
  log: (line) => console.log(line),
});

for (const failure of report.soak.failures.slice(0, 20)) console.log(`FAILED cycle: ${JSON.stringify(failure)}`);
const zombies = zombieSoak(positiveInteger('zombie-jobs', values['zombie-jobs'], true));
const passed = report.passed && zombies.passed;
const table = withRows(renderTable({ ...report, passed }), zombies.rows);
console.log(`\n${table}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ ...report, passed, zombies }, null, 2)}\n`);
if (values['write-doc']) writeTableInto(DOC, table);
process.exitCode = passed ? 0 : 1;

/** The table with `rows` added after its last row (before the verdict line). */
function withRows(table: string, rows: ReadonlyArray<readonly [string, string]>): string {
  const [body, verdict] = table.split('\n\n');
  return `${[body!, ...rows.map(([measure, result]) => `| ${measure} | ${result} |`)].join('\n')}\n\n${verdict}`;
}

/** The zombie soak in a Node process of its own, as uid 65534 when this is root (the fallback, on any host); its verdict and its rows of the table. */
function zombieSoak(jobs: number): { passed: boolean; rows: Array<[string, string]> } {
  if (jobs === 0) return { passed: true, rows: [] };
  console.log(`\nzombie soak: ${jobs} jobs`);
  const started = Date.now();
  const fixture = fileURLToPath(new URL('../test/fixtures/zombie-soak.ts', import.meta.url));
  const node = [process.execPath, '--import', 'tsx', fixture, '--jobs', String(jobs)];
  const command =
    process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...node] : node;
  const output = execFileSync(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  const result = JSON.parse(output.trim().split('\n').pop()!) as SoakResult;
  const { growth, warm, late } = rssGrowth(result.rssMb);
  console.log(
    `  mechanism ${result.mechanism}; failed jobs ${result.failedJobs.length}; wrong exit codes ${result.wrongCodes.length} of ${result.mainChildren} + ${result.workerChildren}`,
  );
  console.log(
    `  zombies: at most ${result.maxZombies} at one sample (bound ${result.zombieBound}), ${result.lingering.length} lingering past a job, ${result.finalZombies.length} at the end`,
  );
  console.log(
    `  after a full GC, by tenths of the jobs: RSS MiB ${result.rssMb.join(' ')}; heap MiB ${result.heapMb.join(' ')}`,
  );
  console.log(
    `  RSS after warm-up ${warm} MiB (tenths 2-3), at the end ${late} MiB (tenths 8-10): ${(growth * 100).toFixed(1)}% (at most ${RSS_GROWTH * 100}%)`,
  );
  for (const line of [...result.failedJobs, ...result.wrongCodes].slice(0, 20)) console.log(`  FAILED: ${line}`);
  const as = process.getuid?.() === 0 ? 'uid 65534' : 'this user';
  const rows: Array<[string, string]> = [
    [
      `Zombie soak (${as}, ${result.mechanism})`,
      `${result.jobs} jobs, ${result.mainChildren} + ${result.workerChildren} plain children (main thread + Worker); failed jobs ${result.failedJobs.length}, lost exit codes ${result.wrongCodes.length}; ${Math.round((Date.now() - started) / 1000)} s`,
    ],
    [
      'Zombies (most at one sample / bound; lingering; at the end)',
      `${result.maxZombies} / ${result.zombieBound}; ${result.lingering.length}; ${result.finalZombies.length}`,
    ],
    [
      'Zombie soak RSS MiB after GC (after warm-up → end)',
      `${warm} → ${late} (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%, at most +${RSS_GROWTH * 100}%)`,
    ],
    [
      'Zombie soak heap MiB after GC (tenths 2-3 → 8-10)',
      `${median(result.heapMb.slice(1, 3))} → ${median(result.heapMb.slice(-3))}`,
    ],
  ];
  const passed =
    result.failedJobs.length === 0 &&
    result.wrongCodes.length === 0 &&
    result.maxZombies <= result.zombieBound &&
    result.lingering.length === 0 &&
    result.finalZombies.length === 0 &&
    result.rssMb.length === 10 &&
    growth <= RSS_GROWTH;
  return { passed, rows };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * RSS growth after warm-up, from the ten samples the soak takes (one per
 * tenth of the jobs, each after a full collection): the level after warm-up
 * is the median of the second and third tenths (the first is JIT, heap
 * sizing and first loads), the level at the end the median of the last
 * three. Medians, so one sample caught in the middle of the heap's growth
 * or shrinking does not decide.
 */
function rssGrowth(rssMb: readonly number[]): { growth: number; warm: number; late: number } {
  const warm = median(rssMb.slice(1, 3));
  const late = median(rssMb.slice(-3));
  return { growth: (late - warm) / warm, warm, late };
}
