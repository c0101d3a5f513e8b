/**
 * The bounded stress run of `npm test`: a short soak with a printed seed
 * (CORRAL_STRESS_SEED replays one), and 200 groups open at once. The full
 * run is `npm run stress`.
 */
import test from 'ava';
import { makeCgroup, ownCgroupDir } from '../guard/fixtures.js';
import type { StressMechanism } from './cycle.js';
import { runManyGroups } from './many-groups.js';
import { randomSeed } from './random.js';
import { runSoak } from './soak.js';
import { TOLERANCE } from './stress-run.js';

const cgroupParent = ownCgroupDir();
const mechanisms: StressMechanism[] = cgroupParent ? ['cgroup', 'pgroup'] : ['pgroup'];

test.serial('soak: 40 random cycles leave no survivor, no directory, and no growing fd count', async (t) => {
  const seed = process.env.CORRAL_STRESS_SEED ? Number(process.env.CORRAL_STRESS_SEED) : randomSeed();
  t.log(
    `seed ${seed} (replay: CORRAL_STRESS_SEED=${seed} npx ava test/stress/soak.test.ts, or npm run stress -- --seed ${seed})`,
  );
  const parent = cgroupParent ? makeCgroup(t, cgroupParent) : undefined;
  const result = await runSoak({ cycles: 40, seed, concurrency: 2, mechanisms, cgroupParent: parent });
  t.is(result.cycles, 40);
  t.deepEqual(result.failures, []);
  t.is(result.survivors, 0);
  t.is(result.leftoverDirs, 0);
  t.true(result.processesKilled >= 40, 'every cycle had a tree to kill');
  t.true(result.fds.growth <= TOLERANCE.fds, `fds ${result.fds.baseline} -> ${result.fds.final}`);
  t.log(
    `${result.processesKilled} processes killed; fds ${result.fds.baseline} -> ${result.fds.final}; heap ${result.heapMb.baseline.toFixed(1)} -> ${result.heapMb.final.toFixed(1)} MiB`,
  );
});

for (const mechanism of mechanisms) {
  test.serial(
    `${mechanism}: 200 groups open at once, each with a small tree, closed together: nothing left`,
    async (t) => {
      const parent = mechanism === 'cgroup' ? makeCgroup(t, cgroupParent!) : undefined;
      const result = await runManyGroups(200, mechanism, parent);
      t.is(result.processes, 400);
      t.is(result.survivors, 0);
      t.is(result.leftoverDirs, 0);
    },
  );
}
