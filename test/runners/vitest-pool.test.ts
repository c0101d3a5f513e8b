/**
 * corral/vitest with the real vitest from npm, on test/fixtures/runners/vitest
 * (the checks are in leaky-suite.ts).
 *
 * Which vitest: 5 where Node can run it (>= 22.12), else 4, and vitest 5 is
 * skipped with its reason. One vitest per Node line keeps the file lean: a
 * vitest start costs tens of seconds in the TCG guest.
 */
import test from 'ava';
import { leakySuiteTests } from './leaky-suite.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const vitest5Runs = major > 22 || (major === 22 && minor >= 12);
if (!vitest5Runs) {
  const reason = `vitest 5 needs Node >= 22.12; this is Node ${process.versions.node}, so vitest 4 runs instead`;
  console.log(`vitest-pool.test: ${reason}`);
  test.skip(`vitest 5: ${reason}`, () => {});
}

const fixture = 'test/fixtures/runners/vitest';
leakySuiteTests({
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
});
