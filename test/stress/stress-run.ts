/**
 * A whole stress run, as `npm run stress` and the bounded test in `npm test`
 * make it: the soak, many groups at once, supervisor deaths, the guard's
 * cost; with a private cgroup parent that must end empty.
 */
import { hostname } from 'node:os';
import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { locateHierarchy } from '../../src/mechanisms/cgroup/hierarchy.js';
import { measureGuardCost } from './guard-cost.js';
import { runManyGroups, type ManyGroupsResult } from './many-groups.js';
import type { StressReport } from './report-table.js';
import { runSoak, type SoakOptions } from './soak.js';
import { guardKilledFirst, supervisorDeath, type DeathRound } from './supervisor-deaths.js';
import { destroyCgroupDir } from '../cgroup/cgroup-kit.js';

export interface StressOptions extends Pick<SoakOptions, 'cycles' | 'seed' | 'concurrency' | 'mechanisms'> {
  manyGroups: number;
  deaths: number;
  log?(line: string): void;
}

/** Tolerances on growth after warm-up: a leak of one fd, or of memory per cycle, shows over a long run. */
export const TOLERANCE = { fds: 4, rssMb: 48, heapMb: 16 };

/** A private cgroup parent for the run, or undefined when cgroup v2 is not writable here. */
function makeParent(): string | undefined {
  const own = locateHierarchy().ownCgroupPath;
  if (own === undefined) return undefined;
  const parent = join(own, `stress-${process.pid}`);
  try {
    mkdirSync(parent);
    return parent;
  } catch {
    return undefined;
  }
}

export async function runStress(options: StressOptions): Promise<StressReport> {
  const log = options.log ?? (() => {});
  const parent = makeParent();
  const mechanisms = options.mechanisms.filter((m) => m === 'pgroup' || parent !== undefined);
  if (mechanisms.length === 0)
    throw new Error('no mechanism to stress: cgroup v2 is not writable here and pgroup was not asked for');
  try {
    log(
      `soak: ${options.cycles} cycles, seed ${options.seed}, concurrency ${options.concurrency}, mechanisms ${mechanisms.join('+')}`,
    );
    const soak = await runSoak({
      cycles: options.cycles,
      seed: options.seed,
      concurrency: options.concurrency,
      mechanisms,
      cgroupParent: parent,
      onBatch: (done, failures) => {
        if (done % 100 < options.concurrency) log(`  ${done}/${options.cycles} cycles, ${failures} failed`);
      },
    });
    const manyGroups: ManyGroupsResult[] = [];
    for (const mechanism of mechanisms) {
      log(`${options.manyGroups} groups at once (${mechanism})`);
      manyGroups.push(await runManyGroups(options.manyGroups, mechanism, parent));
    }
    const deaths: DeathRound[] = [];
    for (let round = 0; round < options.deaths; round++) {
      const mechanism = mechanisms[round % mechanisms.length]!;
      deaths.push(await supervisorDeath(mechanism, parent));
    }
    log(`supervisor deaths: ${deaths.length}`);
    const guardFirst = parent !== undefined && options.deaths > 0 ? await guardKilledFirst(parent) : undefined;
    const guardCost = await measureGuardCost();
    const passed =
      soak.survivors === 0 &&
      soak.leftoverDirs === 0 &&
      soak.failures.length === 0 &&
      soak.fds.growth <= TOLERANCE.fds &&
      soak.rssMb.growth <= TOLERANCE.rssMb &&
      soak.heapMb.growth <= TOLERANCE.heapMb &&
      manyGroups.every((m) => m.survivors === 0 && m.leftoverDirs === 0) &&
      deaths.every((d) => d.recoveryMs !== undefined) &&
      (guardFirst === undefined ||
        (guardFirst.leftAfterSweep === 0 && guardFirst.processesKilled === guardFirst.orphans));
    return {
      date: new Date().toISOString(),
      host: hostname(),
      soak,
      manyGroups,
      deaths,
      guardKilledFirst: guardFirst,
      guardCost,
      passed,
    };
  } finally {
    if (parent !== undefined) {
      // Whatever a failed run left (already counted): killed and removed, so the host ends clean.
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) await destroyCgroupDir(join(parent, entry.name));
      }
      try {
        rmdirSync(parent);
      } catch (error) {
        log(`could not remove ${parent}: ${String(error)}`);
      }
    }
  }
}
