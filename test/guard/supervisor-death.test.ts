/**
 * The supervisor dies without running any JavaScript (SIGKILL): its guard
 * tears every tree down, for both mechanisms. And when the guard is killed
 * first, nothing tears the trees down, and sweepStaleGroups() recovers the
 * cgroup directories later.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { sweepStaleGroups } from '../../src/index.js';
import { zooScript, zooSize } from '../helpers/escape-zoo.js';
import { eventually, SETTLE_MS, waitForSettled } from '../helpers/settle.js';
import { assertNoSurvivors, findTagged, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { assertAllGone, makeCgroup, ownCgroupDir, waitUntilDead, waitUntilRemoved } from './fixtures.js';
import { runSupervisorUntilKilled, startSupervisor } from './supervisor/run-supervisor.js';
import { PATIENCE_MS } from '../helpers/patience.js';

const cgroupParent = ownCgroupDir();
const cgroupTest = cgroupParent ? test : test.skip;
const GENEROUS_MS = PATIENCE_MS;
const GROUPS = 3;

cgroupTest(
  'cgroup: SIGKILL of the supervisor; the guard kills every tree (setsid and double-fork escapees too) and removes the directories',
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const supervisor = await startSupervisor(t, tag, {
      mechanism: 'cgroup',
      groups: GROUPS,
      script: zooScript(),
      cgroupParent: parent,
    });
    t.is(supervisor.report.cgroupPaths.length, GROUPS);
    t.truthy(supervisor.report.guardPid, 'the guard started with the first group');
    await waitForSettled(tag, GROUPS * zooSize(), SETTLE_MS, 1);
    const killedAt = performance.now();
    await supervisor.kill();
    t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
    t.deepEqual(await waitUntilRemoved(supervisor.report.cgroupPaths, GENEROUS_MS), []);
    t.log(`everything gone ${Math.round(performance.now() - killedAt)} ms after the SIGKILL`);
    t.deepEqual(await waitUntilRemoved([`/proc/${supervisor.report.guardPid}`], GENEROUS_MS), [], 'the guard left too');
    assertNoSurvivors(t, tag);
  },
);

test('pgroup: SIGKILL of the supervisor; the guard kills every member (setsid, setpgid, orphaned, stopped and SIGTERM-ignoring ones too)', async (t) => {
  const tag = tagFor(t);
  const supervisor = await startSupervisor(t, tag, { mechanism: 'pgroup', groups: GROUPS, script: zooScript() });
  t.truthy(supervisor.report.guardPid);
  await waitForSettled(tag, GROUPS * zooSize(), SETTLE_MS, 1);
  const killedAt = performance.now();
  await supervisor.kill();
  t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
  t.log(`everything gone ${Math.round(performance.now() - killedAt)} ms after the SIGKILL`);
  t.deepEqual(await waitUntilRemoved([`/proc/${supervisor.report.guardPid}`], GENEROUS_MS), [], 'the guard left too');
  assertNoSurvivors(t, tag);
});

// The first thing the tree does is SIGKILL its supervisor: the instant after
// the spawn, before the supervisor has said another word to its guard. The
// guard must know the group from before the fork (the cgroup from its
// creation, the fallback's marker from before the leader's fork).
for (const mechanism of ['cgroup', 'pgroup'] as const) {
  (mechanism === 'cgroup' ? cgroupTest : test)(
    `${mechanism}: a supervisor SIGKILLed by the first command of its own tree; the guard already knew the group and kills it`,
    async (t) => {
      const tag = tagFor(t);
      const script = `kill -KILL $PPID\n${zooScript()}`;
      const signal = await runSupervisorUntilKilled(t, tag, {
        mechanism,
        groups: 1,
        script,
        ...(mechanism === 'cgroup' ? { cgroupParent: makeCgroup(t, cgroupParent!) } : {}),
      });
      t.is(signal, 'SIGKILL', 'its tree killed the supervisor');
      t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
      assertNoSurvivors(t, tag);
    },
  );
}

cgroupTest(
  'guard killed first, then the supervisor: the trees live on; sweepStaleGroups() kills them and removes the directories',
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const supervisor = await startSupervisor(t, tag, {
      mechanism: 'cgroup',
      groups: GROUPS,
      script: zooScript(),
      cgroupParent: parent,
    });
    const treeSize = GROUPS * zooSize();
    await waitForSettled(tag, treeSize, SETTLE_MS, 1);
    // Stopped, the supervisor cannot notice its guard's death and start another.
    supervisor.child.kill('SIGSTOP');
    process.kill(supervisor.report.guardPid!, 'SIGKILL');
    // Its zombie stays until the stopped supervisor dies; dead is enough.
    await waitUntilDead(supervisor.report.guardPid!, GENEROUS_MS);
    await supervisor.kill();
    // Nothing acts now: the trees and the directories stay until the sweep.
    t.is(findTagged(tag.tag).length, treeSize, 'without a guard every tree outlives its supervisor');
    t.deepEqual(
      supervisor.report.cgroupPaths.filter((p) => !existsSync(p)),
      [],
    );

    const report = await sweepStaleGroups({ root: parent });
    t.log(`sweep: ${report.removed} directories removed, ${report.processesKilled} processes killed`);
    t.is(report.removed, GROUPS);
    t.is(report.processesKilled, treeSize);
    t.is(report.failed, 0);
    t.deepEqual(report.groups.map((g) => g.path).sort(), [...supervisor.report.cgroupPaths].sort());
    t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
    t.deepEqual(
      supervisor.report.cgroupPaths.filter((p) => existsSync(p)),
      [],
    );
    assertNoSurvivors(t, tag);
  },
);

cgroupTest(
  'a guard that dies is replaced, and the new one knows every group: a later SIGKILL of the supervisor leaves nothing',
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const supervisor = await startSupervisor(t, tag, {
      mechanism: 'cgroup',
      groups: GROUPS,
      script: zooScript(),
      cgroupParent: parent,
    });
    await waitForSettled(tag, GROUPS * zooSize(), SETTLE_MS, 1);
    const first = supervisor.report.guardPid!;
    process.kill(first, 'SIGKILL');
    let replacement: number | undefined = first;
    await eventually(
      async () => {
        replacement = (await supervisor.reportAgain()).guardPid;
        return replacement !== first && replacement !== undefined;
      },
      'a new guard reported',
      SETTLE_MS,
      tag,
    );
    t.not(replacement, first, 'a new guard runs');
    t.truthy(replacement);
    await supervisor.kill();
    t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
    t.deepEqual(await waitUntilRemoved(supervisor.report.cgroupPaths, GENEROUS_MS), []);
    assertNoSurvivors(t, tag);
  },
);

cgroupTest('a stood-down group is spared by the guard, as exit cleanup spares it; the others die', async (t) => {
  const tag = tagFor(t);
  const parent = makeCgroup(t, cgroupParent!);
  const script = zooScript(['setsid']);
  const supervisor = await startSupervisor(t, tag, {
    mechanism: 'cgroup',
    groups: 2,
    script,
    cgroupParent: parent,
    spared: 1,
  });
  await waitForSettled(tag, 2 * zooSize(['setsid']), SETTLE_MS, 1);
  const [sparedDir, killedDir] = supervisor.report.cgroupPaths as [string, string];
  await supervisor.kill();
  t.deepEqual(await waitUntilRemoved([killedDir], GENEROUS_MS), [], 'the guarded group is gone');
  t.is(findTagged(tag.tag).length, zooSize(['setsid']), 'the stood-down tree still runs');
  t.true(existsSync(sparedDir));
  // Never closed, its directory still has a live group's name: a sweep takes it as stale.
  const report = await sweepStaleGroups({ root: parent });
  t.deepEqual(
    report.groups.map((g) => [g.path, g.action]),
    [[sparedDir, 'removed']],
  );
  await assertAllGone(t, tag);
});

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  cgroupTest(`cgroup: ${signal} with no handler (Node dies without running JavaScript): nothing is left`, async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const supervisor = await startSupervisor(t, tag, {
      mechanism: 'cgroup',
      groups: 2,
      script: zooScript(),
      cgroupParent: parent,
    });
    await waitForSettled(tag, 2 * zooSize(), SETTLE_MS, 1);
    supervisor.child.kill(signal);
    await assertAllGone(t, tag);
    t.deepEqual(await waitUntilRemoved(supervisor.report.cgroupPaths, GENEROUS_MS), []);
  });
}

cgroupTest(
  'guard: false opts out: no guard starts, and a SIGKILLed supervisor leaves its tree for the sweep',
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const supervisor = await startSupervisor(t, tag, {
      mechanism: 'cgroup',
      groups: 1,
      script: zooScript(),
      cgroupParent: parent,
      guard: false,
    });
    t.is(supervisor.report.guardPid, undefined);
    await waitForSettled(tag, zooSize(), SETTLE_MS, 1);
    await supervisor.kill();
    t.is(findTagged(tag.tag).length, zooSize(), 'nothing tore the tree down');
    const report = await sweepStaleGroups({ root: parent });
    t.is(report.removed, 1);
    await assertAllGone(t, tag);
  },
);
