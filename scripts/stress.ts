/**
 * npm run stress [-- --cycles N --seed S --concurrency C --mechanism both|cgroup|pgroup
 *                   --groups N --deaths N --json FILE --write-doc]
 *
 * Proof under load (see test/stress): prints the "Reliability" table from
 * the run's own figures; --json writes the whole report, --write-doc puts the
 * table into docs/reliability.md. Exits 1 when anything failed; the
 * seed printed first replays the run. --from FILE re-renders a saved report.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { randomSeed } from '../test/stress/random.js';
import { renderTable, writeTableInto, type StressReport } from '../test/stress/report-table.js';
import { RELIABILITY_DOC } from './generated-block.js';
import { runStress } from '../test/stress/stress-run.js';

const DOC = RELIABILITY_DOC;

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    mechanism: { type: 'string', default: 'both' },
    groups: { type: 'string', default: '200' },
    deaths: { type: 'string', default: '10' },
    json: { type: 'string' },
    'write-doc': { type: 'boolean', default: false },
    from: { type: 'string' },
  },
});

// --from FILE: the table of an earlier run's --json report, without running again.
if (values.from) {
  const table = renderTable(JSON.parse(readFileSync(values.from, 'utf8')) as StressReport);
  console.log(table);
  if (values['write-doc']) writeTableInto(DOC, table);
  process.exit(0);
}

function positiveInteger(name: string, text: string | undefined, allowZero = false): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    console.error(`stress: --${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(text)}`);
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
const table = renderTable(report);
console.log(`\n${table}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
if (values['write-doc']) writeTableInto(DOC, table);
process.exitCode = report.passed ? 0 : 1;
