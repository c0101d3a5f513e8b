/**
 * The soak: cycles (test/stress/cycle.ts) in batches of `concurrency`, every
 * cycle's randomness drawn from the seed in cycle order, so a printed seed
 * replays the run whatever the timing. Between batches: no directory may be
 * left under the run's cgroup parent, and the supervisor's fds and memory
 * are sampled.
 */
import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCycle, TEARDOWNS, type CycleResult, type StressMechanism, type Teardown } from './cycle.js';
import { growthOf, sampleProcess, type Growth, type ProcessSample } from './process-sample.js';
import { seededRandom } from './random.js';

export interface SoakOptions {
  cycles: number;
  seed: number;
  concurrency: number;
  mechanisms: StressMechanism[];
  /** Where cgroup groups are made; must start (and end) empty. */
  cgroupParent: string | undefined;
  onBatch?(done: number, failures: number): void;
}

export interface SoakResult {
  seed: number;
  cycles: number;
  byMechanism: Record<StressMechanism, number>;
  byTeardown: Record<Teardown, number>;
  processesKilled: number;
  survivors: number;
  /** Directories found under the cgroup parent after the batches (each batch must leave none). */
  leftoverDirs: number;
  failures: CycleResult[];
  fds: Growth;
  rssMb: Growth;
  heapMb: Growth;
  elapsedMs: number;
}

function leftoversUnder(parent: string | undefined): string[] {
  if (parent === undefined) return [];
  const dirs = readdirSync(parent, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(parent, e.name));
  for (const dir of dirs) {
    try {
      rmdirSync(dir);
    } catch {
      // Still populated: the failure is already counted; the run's teardown sweeps it.
    }
  }
  return dirs;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const master = seededRandom(options.seed);
  const result: SoakResult = {
    seed: options.seed,
    cycles: 0,
    byMechanism: { cgroup: 0, pgroup: 0 },
    byTeardown: Object.fromEntries(TEARDOWNS.map((t) => [t, 0])) as Record<Teardown, number>,
    processesKilled: 0,
    survivors: 0,
    leftoverDirs: 0,
    failures: [],
    fds: { baseline: 0, final: 0, growth: 0 },
    rssMb: { baseline: 0, final: 0, growth: 0 },
    heapMb: { baseline: 0, final: 0, growth: 0 },
    elapsedMs: 0,
  };
  const samples: ProcessSample[] = [];
  for (let first = 0; first < options.cycles; first += options.concurrency) {
    const batch: Array<Promise<CycleResult>> = [];
    for (let cycle = first; cycle < Math.min(first + options.concurrency, options.cycles); cycle++) {
      const random = seededRandom(master.int(0, 2 ** 31 - 1));
      const mechanism = random.pick(options.mechanisms);
      batch.push(runCycle(random, { cycle, mechanism, cgroupParent: options.cgroupParent }));
    }
    for (const cycle of await Promise.all(batch)) {
      result.cycles += 1;
      result.byMechanism[cycle.mechanism] += 1;
      result.byTeardown[cycle.teardown] += 1;
      result.processesKilled += cycle.processes;
      result.survivors += cycle.survivors.length;
      if (cycle.error || cycle.survivors.length > 0 || cycle.leftoverDir) result.failures.push(cycle);
    }
    // Everything left under the parent, spared directories included, not just the paths the cycles knew.
    result.leftoverDirs += leftoversUnder(options.cgroupParent).length;
    samples.push(sampleProcess());
    options.onBatch?.(result.cycles, result.failures.length);
  }
  result.fds = growthOf(samples, 'fds');
  result.rssMb = growthOf(samples, 'rssMb');
  result.heapMb = growthOf(samples, 'heapMb');
  result.elapsedMs = performance.now() - started;
  return result;
}
