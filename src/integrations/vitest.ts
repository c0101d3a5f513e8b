/**
 * corral/vitest: every vitest test file's worker in a corral group, and what
 * a file leaves behind stopped and named with the file. See
 * docs/test-runners.md.
 */
export { corralPool, SUPPORTED_VITEST_MAJORS } from './vitest/corral-pool.js';
export type { CorralPoolRunner } from './vitest/corral-pool.js';
export type { VitestPoolOptions } from './vitest/pool-worker.js';
export type { IntegrationOptions } from './options.js';
export type { FileLeftovers } from './leftovers.js';
