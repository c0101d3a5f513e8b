/**
 * corral/vitest with the real vitest from npm, on test/fixtures/runners/vitest
 * (the checks are in leaky-suite.ts).
 *
 * Which vitest: 5 where Node can run it (>= 22.12), else 4, and vitest 5 is
 * skipped with its reason. One vitest per Node line keeps the file lean: a
 * vitest start costs tens of seconds in the TCG guest.
 */
import test from 'ava';
import { join } from 'node:path';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { leakySuiteTests, type LeakySuite } from './leaky-suite.js';
import { readReport, scratchDir, startRunner } from './runner-harness.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const vitest5Runs = major > 22 || (major === 22 && minor >= 12);
if (!vitest5Runs) {
  const reason = `vitest 5 needs Node >= 22.12; this is Node ${process.versions.node}, so vitest 4 runs instead`;
  console.log(`vitest-pool.test: ${reason}`);
  test.skip(`vitest 5: ${reason}`, () => {});
}

const fixture = 'test/fixtures/runners/vitest';
const suite: LeakySuite = {
  name: vitest5Runs ? 'vitest 5' : 'vitest 4',
  script: vitest5Runs ? 'node_modules/vitest5/vitest.mjs' : 'node_modules/vitest/vitest.mjs',
  // --configLoader native: the config is imported as it is, nothing is bundled and written beside it.
  args: ['run', '--configLoader', 'native', '--root', fixture],
  fixture,
  leaking: {
    'suite/leaks-a-server.test.mjs': /\/node \S*\/test\/fixtures\/runners\/forgotten-server\.cjs$/,
    'suite/daemonizes.test.mjs': /^sleep 1000$/,
  },
  passed: /Test Files\s+4 passed/,
};
leakySuiteTests(suite);

// isolate: false with one worker: vitest hands it all four files at once, and
// corral charges each process to the file the worker announced last.
test.serial(
  `${suite.name}, isolate: false, one worker for all four files: each leftover is charged to the file that started it`,
  async (t) => {
    const tag = tagFor(t);
    const scratch = scratchDir(t, 'corral-runner-');
    const report = join(scratch, 'leftovers.json');
    const env = {
      CORRAL_FIXTURE_CACHE: join(scratch, 'cache'),
      CORRAL_FIXTURE_ISOLATE: '0',
      CORRAL_LEFTOVERS_REPORT: report,
      CORRAL_FAIL_ON_LEFTOVERS: '',
      XDG_DATA_HOME: join(scratch, 'data'),
      NO_COLOR: '1',
    };
    const outcome = await startRunner(t, 'self', suite.script, [...suite.args, '--maxWorkers', '1'], tag, env).done;
    t.is(outcome.status, 0, outcome.output);
    const entries = readReport(report);
    t.deepEqual(
      entries.map((e) => e.file.slice(e.file.indexOf(fixture) + fixture.length + 1)).sort(),
      Object.keys(suite.leaking).sort(),
      JSON.stringify(entries),
    );
    for (const entry of entries) {
      const expected = Object.entries(suite.leaking).find(([file]) => entry.file.endsWith(`/${file}`))![1];
      t.deepEqual(
        entry.leftovers.map((p) => expected.test(p.command)),
        [true],
        JSON.stringify(entry),
      );
    }
    t.regex(outcome.output, /stopped when the shared worker ends/);
    assertNoSurvivors(t, tag);
  },
);
