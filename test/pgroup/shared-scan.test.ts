/**
 * The fallback's walks share one /proc scan while it can be trusted, its
 * groups share one census timer, and the runtime knows our unreaped leaders
 * without reading them (all in fallback-runtime.ts): the three
 * things that keep hundreds of open groups from costing hundreds of scans.
 * And a drain verdict does not wait for the reaping of the tree's zombies,
 * which follows on the same SIGCHLD.
 * Against the real kernel; every verdict waits on an event, not a clock.
 */
import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ProcessGroup } from '../../src/index.js';
import { childSubreaperIsOn, setChildSubreaper } from '../../src/libc/libc.js';
import { processRuntime } from '../../src/mechanisms/pgroup/fallback-runtime.js';
import { createPgroupContainment } from '../../src/mechanisms/pgroup/pgroup-containment.js';
import { indexProcesses } from '../../src/mechanisms/pgroup/process-table.js';
import type { ProcStat } from '../../src/proc/stat.js';
import { eventually } from '../helpers/settle.js';
import { assertNoSurvivors, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { KILL_TIMEOUT_MS } from '../helpers/patience.js';
import { zombieChildren } from '../helpers/zombie-children.js';

test('one table per event-loop turn: shared within it, scanned again after it, after an expiry, and on request', async (t) => {
  const runtime = processRuntime();
  const first = runtime.snapshot();
  t.is(runtime.snapshot(), first, 'a second walk in the same turn reads the same scan');
  t.true(first.byPid.has(process.pid), 'the scan holds this process');
  await nextTurn();
  await nextTurn();
  const next = runtime.snapshot();
  t.not(next, first, 'the next turn scans again');
  runtime.invalidate();
  t.not(runtime.snapshot(), next, 'an invalidated table is scanned again');
  const fresh = runtime.freshSnapshot();
  t.is(runtime.snapshot(), fresh, 'a fresh scan is shared from then on');
});

test('a table is only as new as the changes noted before its scan: hard kills that stopped their groups first share the next scan', (t) => {
  const runtime = processRuntime();
  const first = runtime.noteChange();
  const second = runtime.noteChange();
  const table = runtime.snapshotSince(first);
  t.is(runtime.snapshotSince(second), table, 'scanned after both changes: it serves both');
  const third = runtime.noteChange();
  const later = runtime.snapshotSince(third);
  t.not(later, table, 'a change noted after the scan needs a new one');
  t.is(runtime.snapshot(), later);
});

test('the index: children by parent, processes by pid and by process group', (t) => {
  const stat = (pid: number, ppid: number): ProcStat => ({
    pid,
    ppid,
    pgid: pid,
    sid: pid,
    state: 'S',
    startTime: pid * 10,
    cpuTicks: 0,
  });
  const table = indexProcesses([stat(1, 0), stat(2, 1), stat(3, 1), stat(4, 3)]);
  t.deepEqual(
    table.children.get(1)?.map((s) => s.pid),
    [2, 3],
  );
  t.deepEqual(
    table.children.get(3)?.map((s) => s.pid),
    [4],
  );
  t.is(table.children.get(4), undefined);
  t.is(table.byPid.get(4)?.startTime, 40);
  t.deepEqual(
    table.byPgid.get(3)?.map((s) => s.pid),
    [3],
  );
});

test('a spawn invalidates the shared table: the walk right after it sees the new leader', async (t) => {
  const tag = tagFor(t);
  const runtime = processRuntime();
  const containment = createPgroupContainment();
  // Torn down, not only killed: a group left open stays joined to the runtime, which a later test here checks.
  t.teardown(() => containment.tearDown(KILL_TIMEOUT_MS));
  const before = runtime.snapshot();
  const child = containment.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  const after = runtime.snapshot();
  t.not(after, before);
  t.true(after.byPid.has(child.pid!), 'the leader is in the table scanned after its spawn');
  t.deepEqual(await containment.members(), [child.pid]);
});

test('the runtime knows an unreaped leader of any group, and forgets it once libuv has reaped it', async (t) => {
  const runtime = processRuntime();
  const tag = tagFor(t);
  const containment = createPgroupContainment();
  t.teardown(() => containment.tearDown(KILL_TIMEOUT_MS));
  const child = containment.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  await waitForTagged(tag.tag, 1);
  t.true(runtime.isLeader(child.pid!));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await containment.hardKill();
  await exited;
  t.false(runtime.isLeader(child.pid!), 'its pid may be handed out again: no longer held as a leader');
});

test.serial(
  'hard kills begun together share their first walk: 20 groups, one /proc scan, and nothing survives',
  async (t) => {
    const tag = tagFor(t);
    const runtime = processRuntime();
    const containments = Array.from({ length: 20 }, () => createPgroupContainment());
    t.teardown(() => Promise.all(containments.map((containment) => containment.tearDown(KILL_TIMEOUT_MS))));
    for (const containment of containments)
      containment.spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { env: tag.env, stdio: 'ignore' });
    await waitForTagged(tag.tag, 40);
    // Members that left their process group would each cost a round (and a scan) more: these never do.
    const before = runtime.scans;
    await Promise.all(containments.map((containment) => containment.hardKill()));
    t.is(runtime.scans - before, 1, 'one scan, made after every group was stopped, served all 20 walks');
    await Promise.all(containments.map((containment) => containment.tearDown(60_000)));
    assertNoSurvivors(t, tag);
  },
);

/** This process's zombie children. */
test.serial('the zombies of a drained tree are reaped after the verdict, while its group is still open', async (t) => {
  const tag = tagFor(t);
  const group = await ProcessGroup.create({ mechanism: 'pgroup', guard: false });
  t.teardown(() => group.close());
  // The leader's two children become ours (the subreaper's) when it dies: their zombies are ours to reap.
  const leader = group.spawn('sh', ['-c', 'sleep 1000 & sleep 1000 & exec sleep 1000'], {
    env: tag.env,
    stdio: 'ignore',
  });
  const leaderExited = new Promise((resolve) => leader.once('exit', resolve));
  await waitForTagged(tag.tag, 3);
  const report = await group.shutdown();
  t.true(report.drainedWithinGrace);
  await leaderExited;
  // Reaped once the verdict is out (on the SIGCHLD each death raises here, or at the census's next walk), not left for close().
  await eventually(() => zombieChildren().length === 0, 'every zombie of the tree reaped');
  assertNoSurvivors(t, tag);
});

test.serial(
  'corral switches off only the subreaper it switched on: a process that was one already stays one',
  async (t) => {
    t.teardown(() => setChildSubreaper(false));
    const cycle = async () => {
      const group = await ProcessGroup.create({ mechanism: 'pgroup', guard: false });
      group.spawn('true', [], { stdio: 'ignore' });
      t.true(childSubreaperIsOn(), 'on while a fallback group is open');
      await group.close();
    };
    t.false(childSubreaperIsOn(), 'this worker is no subreaper between groups');
    await cycle();
    t.false(childSubreaperIsOn(), 'switched off with the last group: corral had switched it on');
    setChildSubreaper(true);
    await cycle();
    t.true(childSubreaperIsOn(), "left on: it was the application's setting, not corral's");
  },
);

test.serial('while a member the last walk saw still lives, the drain check says so without a scan', async (t) => {
  const tag = tagFor(t);
  const runtime = processRuntime();
  const containment = createPgroupContainment();
  t.teardown(() => containment.tearDown(KILL_TIMEOUT_MS));
  // The leader exits at once; its sleep, adopted, is the one member left.
  const leader = containment.spawn('sh', ['-c', 'sleep 1000 & exit 0'], { env: tag.env, stdio: 'ignore' });
  await new Promise((resolve) => leader.once('exit', resolve));
  const [sleeper] = await waitForTagged(tag.tag, 1);
  t.deepEqual(await containment.members(), [sleeper], 'the walk sees it');
  // An action walks and records what it saw (a query only reads): SIGCONT harms no one.
  await containment.resume();
  // A later turn of the loop: that walk's table is no longer shared.
  await nextTurn();
  await nextTurn();
  const before = runtime.scans;
  t.false(await containment.isDrained());
  t.is(runtime.scans - before, 0, 'one stat read of that member, no scan');
  process.kill(sleeper!, 'SIGKILL');
  await eventually(() => containment.isDrained(), 'the tree drained');
  t.true(runtime.scans - before >= 1, 'once it is dead, only a scan can tell that nothing else is left');
  assertNoSurvivors(t, tag);
});
