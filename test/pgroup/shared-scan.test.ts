/**
 * The fallback's walks share one /proc scan while it can be trusted
 * (process-table.ts), its groups share one census timer (census.ts), and the
 * subreaper knows our unreaped leaders without reading them: the three
 * things that keep hundreds of open groups from costing hundreds of scans.
 * And a drain verdict does not wait for the reaping of the tree's zombies,
 * which follows on the same SIGCHLD.
 * Against the real kernel; every verdict waits on an event, not a clock.
 */
import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ProcessGroup } from '../../src/index.js';
import { childSubreaperIsOn, setChildSubreaper } from '../../src/libc/libc.js';
import { joinCensus } from '../../src/mechanisms/pgroup/census.js';
import { createPgroupContainment } from '../../src/mechanisms/pgroup/pgroup-containment.js';
import { realHost } from '../../src/mechanisms/pgroup/pgroup-host.js';
import {
  expireProcessTable,
  freshProcessTable,
  indexProcesses,
  noteChange,
  processTableSince,
  scansMade,
  sharedProcessTable,
} from '../../src/mechanisms/pgroup/process-table.js';
import { processSubreaper } from '../../src/mechanisms/pgroup/subreaper.js';
import type { ProcStat } from '../../src/proc/stat.js';
import { eventually } from '../helpers/settle.js';
import { assertNoSurvivors, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { systemClock } from '../../src/driver/clock.js';
import { KILL_TIMEOUT_MS } from '../helpers/patience.js';
import { zombieChildren } from '../helpers/zombie-children.js';

test('one table per event-loop turn: shared within it, scanned again after it, after an expiry, and on request', async (t) => {
  const first = sharedProcessTable();
  t.is(sharedProcessTable(), first, 'a second walk in the same turn reads the same scan');
  t.true(first.startTimes.has(process.pid), 'the scan holds this process');
  await nextTurn();
  await nextTurn();
  const next = sharedProcessTable();
  t.not(next, first, 'the next turn scans again');
  expireProcessTable();
  t.not(sharedProcessTable(), next, 'an expired table is scanned again');
  const fresh = freshProcessTable();
  t.is(sharedProcessTable(), fresh, 'a fresh scan is shared from then on');
});

test('a table is only as new as the changes noted before its scan: hard kills that stopped their groups first share the next scan', (t) => {
  const first = noteChange();
  const second = noteChange();
  const table = processTableSince(first);
  t.is(processTableSince(second), table, 'scanned after both changes: it serves both');
  const third = noteChange();
  const later = processTableSince(third);
  t.not(later, table, 'a change noted after the scan needs a new one');
  t.is(sharedProcessTable(), later);
});

test('the index: children by parent and start times by pid', (t) => {
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
  t.is(table.startTimes.get(4), 40);
});

test('a spawn expires the shared table: the walk right after it sees the new leader', async (t) => {
  const tag = tagFor(t);
  const containment = createPgroupContainment(systemClock, realHost);
  // Torn down, not only killed: a group left open keeps its claim on the subreaper, which a later test here checks.
  t.teardown(() => containment.tearDown(KILL_TIMEOUT_MS));
  const before = realHost.processTable();
  const child = containment.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  const after = realHost.processTable();
  t.not(after, before);
  t.true(after.startTimes.has(child.pid!), 'the leader is in the table scanned after its spawn');
  t.deepEqual(await containment.members(), [child.pid]);
});

test('the subreaper knows an unreaped leader of any group, and forgets it once libuv has reaped it', async (t) => {
  const subreaper = processSubreaper();
  const tag = tagFor(t);
  const containment = createPgroupContainment(systemClock, realHost);
  t.teardown(() => containment.tearDown(KILL_TIMEOUT_MS));
  const child = containment.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  await waitForTagged(tag.tag, 1);
  t.true(subreaper.isLeader(child.pid!));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await containment.hardKill();
  await exited;
  t.false(subreaper.isLeader(child.pid!), 'its pid may be handed out again: no longer held as a leader');
});

test('one census timer serves every round: each joined round runs, and a round that left does not', async (t) => {
  const calls = { a: 0, b: 0 };
  let wake: () => void = () => {};
  const bothRan = new Promise<void>((resolve) => (wake = resolve));
  const check = () => {
    if (calls.a > 0 && calls.b > 0) wake();
  };
  const leaveA = joinCensus(() => {
    calls.a += 1;
    check();
  });
  const leaveB = joinCensus(() => {
    calls.b += 1;
    check();
  });
  t.teardown(() => {
    leaveA();
    leaveB();
  });
  // The timer is unref'd: an interval keeps this test's event loop alive while it waits.
  const keepAlive = setInterval(() => {}, 1000);
  t.teardown(() => clearInterval(keepAlive));
  await bothRan;
  leaveA();
  const aSoFar = calls.a;
  const bSoFar = calls.b;
  await new Promise<void>((resolve) => {
    const leaveC = joinCensus(() => {
      if (calls.b > bSoFar) {
        leaveC();
        resolve();
      }
    });
  });
  t.is(calls.a, aSoFar, 'a left round is never run again');
});

test.serial(
  'hard kills begun together share their first walk: 20 groups, one /proc scan, and nothing survives',
  async (t) => {
    const tag = tagFor(t);
    const containments = Array.from({ length: 20 }, () => createPgroupContainment(systemClock, realHost));
    t.teardown(() => Promise.all(containments.map((containment) => containment.tearDown(KILL_TIMEOUT_MS))));
    for (const containment of containments)
      containment.spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { env: tag.env, stdio: 'ignore' });
    await waitForTagged(tag.tag, 40);
    // Members that left their process group would each cost a round (and a scan) more: these never do.
    const before = scansMade();
    await Promise.all(containments.map((containment) => containment.hardKill()));
    t.is(scansMade() - before, 1, 'one scan, made after every group was stopped, served all 20 walks');
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
  const containment = createPgroupContainment(systemClock, realHost);
  t.teardown(() => containment.tearDown(KILL_TIMEOUT_MS));
  // The leader exits at once; its sleep, adopted, is the one member left.
  const leader = containment.spawn('sh', ['-c', 'sleep 1000 & exit 0'], { env: tag.env, stdio: 'ignore' });
  await new Promise((resolve) => leader.once('exit', resolve));
  const [sleeper] = await waitForTagged(tag.tag, 1);
  t.deepEqual(await containment.members(), [sleeper], 'the walk sees it');
  // A later turn of the loop: that walk's table is no longer shared.
  await nextTurn();
  await nextTurn();
  const before = scansMade();
  t.false(await containment.isDrained());
  t.is(scansMade() - before, 0, 'one stat read of that member, no scan');
  process.kill(sleeper!, 'SIGKILL');
  await eventually(() => containment.isDrained(), 'the tree drained');
  t.true(scansMade() - before >= 1, 'once it is dead, only a scan can tell that nothing else is left');
  assertNoSurvivors(t, tag);
});
