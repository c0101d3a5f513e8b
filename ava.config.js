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

export default {
  files: compiled ? ['build/compiled/test/**/*.test.js'] : ['test/**/*.test.ts'],
  ...(compiled ? {} : { extensions: { ts: 'module' }, nodeArguments: ['--import=tsx'] }),
  // The guest has 2 vCPUs, and each test there starts process trees that
  // need the CPU too: measured there, 2 workers finish soonest (both users
  // side by side: 966 s with 2, 1038 s with 1; docs/test-host.md).
  concurrency: 2,
  timeout: vm ? '600s' : '60s',
  workerThreads: false,
  environmentVariables: { CORRAL_TEST: '1' },
};
