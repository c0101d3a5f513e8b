/**
 * corralPool(): a pool for vitest's custom pool API (vitest 4 and 5:
 * `test: { pool: corralPool() }`). Vitest asks it for one worker per
 * PoolRunner: with `isolate: true` (the default) that is one worker, and so
 * one corral group, per test file; with `isolate: false` one worker runs
 * several files and each process is charged to the file running when it
 * appeared (see pool-worker.ts).
 */
import { checkRunnerVersion } from '../runner-version.js';
import { resolveIntegrationOptions, type IntegrationOptions } from '../options.js';
import { ledgerFor } from '../report.js';
import { CorralPoolWorker, type VitestPoolOptions } from './pool-worker.js';

export const SUPPORTED_VITEST_MAJORS = [4, 5] as const;

/** The shape of vitest's PoolRunnerInitializer. */
export interface CorralPoolRunner {
  readonly name: string;
  createPoolWorker: (options: VitestPoolOptions) => CorralPoolWorker;
}

export function corralPool(options?: IntegrationOptions): CorralPoolRunner {
  const settings = resolveIntegrationOptions(options, 'corralPool()');
  const ledger = ledgerFor(settings.report);
  const name = 'corral';
  return {
    name,
    createPoolWorker(poolOptions) {
      checkRunnerVersion('vitest', poolOptions.project.vitest.version, SUPPORTED_VITEST_MAJORS);
      return new CorralPoolWorker(name, poolOptions, settings, ledger);
    },
  };
}
