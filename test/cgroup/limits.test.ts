/**
 * Limits: where the host can enforce them (CORRAL_EXPECT_LIMITS=1, set in
 * the pure cgroup-v2 VM, where these MUST run) a fork bomb is held at
 * pids.max, a memory hog is OOM-killed inside its group, and cpu.max
 * throttles a busy loop. Elsewhere (this hybrid host has no controllers in
 * cgroup v2) a group with limits is refused with ELIMIT_UNENFORCEABLE,
 * saying what is missing, and no directory is left behind.
 */
import test, { type ExecutionContext } from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostContainment, prepareCgroupForLimits, ProcessGroup, type Limits } from '../../src/index.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { eventually, exited, limitsExpected, openCgroup, requireCgroup, spawnShell } from './cgroup-kit.js';

const enforceable = limitsExpected || hostContainment().limits.enforceable;

/** Our own group directories under `parent` (named after this process). */
function ourGroupDirs(parent: string): string[] {
  return readdirSync(parent).filter((name) => name.startsWith(`corral-${process.pid}-`));
}

async function limitedGroup(t: ExecutionContext, limits: Limits): Promise<ProcessGroup> {
  const cgroupParent = limitsExpected ? (await prepareCgroupForLimits()).cgroupParent : undefined;
  return openCgroup(t, { limits, ...(cgroupParent ? { cgroupParent } : {}) });
}

function stat(dir: string, file: string, key: string): number {
  const line = readFileSync(`${dir}/${file}`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key} `));
  return Number(line?.split(' ')[1]);
}

if (enforceable) {
  test('pids.max holds a fork bomb', async (t) => {
    if (!(await requireCgroup(t))) return;
    const tag = tagFor(t);
    const group = await limitedGroup(t, { pids: 16 });
    const dir = group.cgroupPath!;
    t.is(readFileSync(`${dir}/pids.max`, 'utf8').trim(), '16');
    spawnShell(group, tag, 'i=0; while [ $i -lt 200 ]; do sleep 1000 & i=$((i+1)); done 2>/dev/null; exec sleep 1000');

    await eventually(() => stat(dir, 'pids.events', 'max') > 0, 'a fork refused at pids.max');
    const stats = await group.stats();
    t.true(stats.processes <= 16, `${stats.processes} members`);
    t.true((stats.peakProcesses ?? 16) <= 16);
    await group.close();
    t.deepEqual(await waitUntilGone(tag.tag), []);
    assertNoSurvivors(t, tag);
  });

  test('memory.max stops a memory hog: OOM-killed inside the group, the group clean afterwards', async (t) => {
    if (!(await requireCgroup(t))) return;
    const tag = tagFor(t);
    const group = await limitedGroup(t, { memoryBytes: 32 * 1024 * 1024 });
    const dir = group.cgroupPath!;
    t.is(readFileSync(`${dir}/memory.max`, 'utf8').trim(), String(32 * 1024 * 1024));
    // Without swap the hog cannot dodge the limit by swapping (the test's own setting, not corral's).
    if (existsSync(`${dir}/memory.swap.max`)) writeFileSync(`${dir}/memory.swap.max`, '0');
    const hog = group.spawn('perl', ['-e', '$x = "a" x (256 * 1024 * 1024); sleep 1000'], {
      env: tag.env,
      stdio: 'ignore',
    });

    const status = await exited(hog);

    t.is(status.signal, 'SIGKILL');
    t.true(stat(dir, 'memory.events', 'oom_kill') >= 1);
    t.deepEqual(await group.members(), []);
    await group.close();
    t.false(existsSync(dir));
    assertNoSurvivors(t, tag);
  });

  test('cpu.max throttles a busy loop (nr_throttled in cpu.stat)', async (t) => {
    if (!(await requireCgroup(t))) return;
    const tag = tagFor(t);
    const group = await limitedGroup(t, { cpus: 0.1 });
    const dir = group.cgroupPath!;
    t.is(readFileSync(`${dir}/cpu.max`, 'utf8').trim(), '10000 100000');
    spawnShell(group, tag, 'while :; do :; done');

    await eventually(() => stat(dir, 'cpu.stat', 'nr_throttled') > 0, 'the busy loop throttled');
    t.true(((await group.stats()).cpuUsageMs ?? 0) > 0);
    await group.close();
    assertNoSurvivors(t, tag);
  });
} else {
  test('limits this host cannot enforce are refused (ELIMIT_UNENFORCEABLE), saying why, leaving no directory', async (t) => {
    if (!(await requireCgroup(t))) return;
    const parent = hostContainment().groupParent!;
    const before = ourGroupDirs(parent);

    for (const mechanism of ['cgroup', 'auto'] as const) {
      const error = await t.throwsAsync(
        ProcessGroup.create({ mechanism, guard: false, limits: { memoryBytes: 64 << 20, pids: 10, cpus: 0.5 } }),
      );
      t.is((error as { code?: string }).code, 'ELIMIT_UNENFORCEABLE');
      t.regex((error as Error).message, /controller/);
    }
    t.deepEqual(ourGroupDirs(parent), before, 'no directory left behind');
  });

  test('prepareCgroupForLimits() refuses before moving anything when the controllers do not reach us', async (t) => {
    if (!(await requireCgroup(t))) return;
    if (hostContainment().limits.enforceableAfterPrepare) {
      // The controllers are there, only not enabled: the refusal must point at the helper (which is not run: it would move this process).
      const error = await t.throwsAsync(
        ProcessGroup.create({ mechanism: 'cgroup', guard: false, limits: { pids: 10 } }),
      );
      t.regex((error as Error).message, /prepareCgroupForLimits/);
      return;
    }
    const ownBefore = readFileSync('/proc/self/cgroup', 'utf8');

    const error = await t.throwsAsync(prepareCgroupForLimits());

    t.is((error as { code?: string }).code, 'ELIMIT_UNENFORCEABLE');
    t.regex((error as Error).message, /controller/);
    t.is(readFileSync('/proc/self/cgroup', 'utf8'), ownBefore, 'this process was not moved');
  });
}
