/**
 * corral/jest with the real jest 30 from npm, on
 * test/fixtures/runners/jest-suite (the checks are in leaky-suite.ts). The
 * fixture names 'corral/jest' itself where the mechanism is 'auto', and a
 * runner module of its own (createCorralJestRunner()) where it is pinned.
 */
import { leakySuiteTests } from './leaky-suite.js';

const fixture = 'test/fixtures/runners/jest-suite';
leakySuiteTests({
  name: 'jest 30',
  script: 'node_modules/jest/bin/jest.js',
  args: ['--ci', '--watchman=false', '--config', `${fixture}/jest.config.cjs`],
  fixture,
  leaking: {
    'suite/leaks-a-server.test.cjs': /\/node \S*\/test\/fixtures\/runners\/forgotten-server\.cjs$/,
    'suite/daemonizes.test.cjs': /^sleep 1000$/,
  },
  passed: /Test Suites:\s+4 passed, 4 total/,
});
