/**
 * corral/jest: every jest test file in a process of its own inside a corral
 * group, and what a file leaves behind stopped and named with the file.
 * `runner: 'corral/jest'` takes its options from the environment
 * (CORRAL_FAIL_ON_LEFTOVERS, CORRAL_LEFTOVERS_REPORT); a runner module of
 * your own can export createCorralJestRunner({ ... }) for the others. See
 * docs/test-runners.md.
 */
import { createCorralJestRunner } from './jest/corral-jest-runner.js';

export { createCorralJestRunner, SUPPORTED_JEST_MAJORS } from './jest/corral-jest-runner.js';
export type { IntegrationOptions } from './options.js';
export type { FileLeftovers } from './leftovers.js';

export default createCorralJestRunner();
