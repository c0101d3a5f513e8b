/**
 * run() returns the group's stats() as they stood at the end of the run:
 * under cgroup the CPU time of every member that ran (they have all exited
 * by then), and, where the host enforces limits (the pure cgroup-v2 guest),
 * the peaks of the pids and memory controllers. The fallback cannot know
 * the CPU of a finished tree and leaves the figure out rather than say 0.
 */
import test from 'ava';
import { hostContainment, prepareCgroupForLimits } from '../../src/index.js';
import { run } from '../../src/run/run.js';
import { limitsExpected } from '../cgroup/cgroup-kit.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';

/** Busy for a little CPU time in three processes, all gone by the end. */
const BUSY = `for n in 1 2 3; do (i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done) & done; wait`;

test('cgroup: the CPU time of the whole finished tree', async (t) => {
  if (hostContainment().mechanism !== 'cgroup') {
    t.pass(`no cgroup v2 here (${hostContainment().reason}); the cgroup suites say whether it was expected`);
    return;
  }
  const tag = tagFor(t);
  const result = await run('sh', ['-c', BUSY], { env: tag.env, stdio: 'ignore', mechanism: 'cgroup' });
  t.is(result.exitCode, 0);
  t.is(result.stats?.processes, 0);
  t.true((result.stats?.cpuUsageMs ?? 0) > 0, `cpuUsageMs ${result.stats?.cpuUsageMs}`);
  assertNoSurvivors(t, tag);
});

test('pgroup: no CPU figure for a finished tree (absent, never a wrong 0)', async (t) => {
  const tag = tagFor(t);
  const result = await run('sh', ['-c', BUSY], { env: tag.env, stdio: 'ignore', mechanism: 'pgroup' });
  t.is(result.stats?.processes, 0);
  t.false('cpuUsageMs' in result.stats!);
  assertNoSurvivors(t, tag);
});

if (limitsExpected || hostContainment().limits.enforceable) {
  test('with the pids and memory controllers: peak processes and peak memory of the run', async (t) => {
    const tag = tagFor(t);
    const cgroupParent = limitsExpected ? (await prepareCgroupForLimits()).cgroupParent : undefined;
    const result = await run('sh', ['-c', `${BUSY}; exit 4`], {
      env: tag.env,
      stdio: 'ignore',
      limits: { pids: 64, memoryBytes: 256 * 1024 * 1024 },
      ...(cgroupParent ? { cgroupParent } : {}),
    });
    t.is(result.exitCode, 4);
    // pids.peak came with a later kernel than memory.peak (5.19): where it is missing the figure is absent, never 0.
    const peak = result.stats?.peakProcesses;
    t.true(peak === undefined || peak >= 4, `peakProcesses ${peak}: the shell and its three`);
    t.true((result.stats?.peakMemoryBytes ?? 0) > 0, `peakMemoryBytes ${result.stats?.peakMemoryBytes}`);
    assertNoSurvivors(t, tag);
  });
}
