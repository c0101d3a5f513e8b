// The suite starts real process trees and cgroups, so keep concurrency modest
// on these 2-core machines, and give slow hosts (the TCG guest of test-vm/)
// room before ava calls a test stuck.
//
// Two forms (see test/helpers/node-script.ts): TypeScript through tsx, the
// default; or, with CORRAL_TEST_COMPILED=1, the JavaScript that
// `npm run build:tests` writes to build/compiled/ (what the guest runs: tsx
// start-ups cost seconds there).
const compiled = process.env.CORRAL_TEST_COMPILED === '1';
const vm = Boolean(process.env.CORRAL_VM);

// Longest first. ava starts files in this order, two at a time: a long file
// that starts late runs on alone at the end while the other slot has nothing
// left (in the guest, the soak's minute of serial tests came last). Measured
// in the guest (both users side by side, ci12): the fallback zoo's two
// fixtures take about 125 s each, the serial CLI file about 230 s in all,
// the guard files, run() and the 1000-member tree 50 to 200 s, the soak
// 60 s. Files not listed follow in path order.
const longestFirst = [
  'cli/run-command',
  'fallback/escape-zoo',
  'guard/supervisor-death',
  'guard/guard-script',
  'run/run',
  'group/pgroup-escapees',
  'stress/soak',
  'cgroup/spawn',
  'examples/job-queue',
  'runners/jest-runner',
  'runners/vitest-pool',
  'runners/test-runners',
  'cgroup/exit-cleanup',
  'group/pgroup-exit-cleanup',
  'guard/guard-process',
];
const rank = (file) => {
  const i = longestFirst.findIndex((name) => file.includes(`/test/${name}.test.`));
  return i === -1 ? longestFirst.length : i;
};

export default {
  files: compiled ? ['build/compiled/test/**/*.test.js'] : ['test/**/*.test.ts'],
  ...(compiled ? {} : { extensions: { ts: 'module' }, nodeArguments: ['--import=tsx'] }),
  // The guest has 2 vCPUs, and each test there starts process trees that
  // need the CPU too: measured there, 2 workers finish soonest (both users
  // side by side: 966 s with 2, 1038 s with 1; docs/test-host.md).
  concurrency: 2,
  timeout: vm ? '600s' : '60s',
  workerThreads: false,
  sortTestFiles: (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  environmentVariables: { CORRAL_TEST: '1' },
};
