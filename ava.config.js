// Tests are TypeScript, loaded through tsx. They start real process trees and
// cgroups, so keep concurrency modest on these 2-core machines and give slow
// hosts (the TCG guest of test-vm/) room before ava calls a test stuck.
export default {
  files: ['test/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  concurrency: 2,
  timeout: process.env.CORRAL_VM ? '300s' : '60s',
  workerThreads: false,
  environmentVariables: { CORRAL_TEST: '1' },
};
