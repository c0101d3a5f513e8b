/**
 * The fallback's walks share one /proc scan while it can be trusted
 * (process-table.ts), its groups share one census timer (census.ts), and the
 * subreaper knows our unreaped leaders without reading them: the three
 * things that keep hundreds of open groups from costing hundreds of scans.
 * Against the real kernel; every verdict waits on an event, not a clock.
 */
import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { joinCensus } from '../../src/mechanisms/pgroup/census.js';
import { createPgroupContainment } from '../../src/mechanisms/pgroup/pgroup-containment.js';
import { realHost } from '../../src/mechanisms/pgroup/pgroup-host.js';
import { expireProcessTable, freshProcessTable, indexProcesses, sharedProcessTable } from '../../src/mechanisms/pgroup/process-table.js';
import { processSubreaper } from '../../src/mechanisms/pgroup/subreaper.js';
import type { ProcStat } from '../../src/proc/stat.js';
import { tagFor, waitForTagged } from '../helpers/tagged-processes.js';

test('one table per event-loop turn: shared within it, scanned again after it, after an expiry, and on request', async (t) => {
  const first = sharedProcessTable();
  t.is(sharedProcessTable(), first, 'a second walk in the same turn reads the same scan');
  t.true(first.alive.has(process.pid), 'the scan holds this process');
  await nextTurn();
  await nextTurn();
  const next = sharedProcessTable();
  t.not(next, first, 'the next turn scans again');
  expireProcessTable();
  t.not(sharedProcessTable(), next, 'an expired table is scanned again');
  const fresh = freshProcessTable();
  t.is(sharedProcessTable(), fresh, 'a fresh scan is shared from then on');
});

test('the index: children by parent and start times by pid', (t) => {
  const stat = (pid: number, ppid: number): ProcStat => ({ pid, ppid, pgid: pid, sid: pid, state: 'S', startTime: pid * 10, cpuTicks: 0 });
  const table = indexProcesses([stat(1, 0), stat(2, 1), stat(3, 1), stat(4, 3)]);
  t.deepEqual(table.children.get(1)?.map((s) => s.pid), [2, 3]);
  t.deepEqual(table.children.get(3)?.map((s) => s.pid), [4]);
  t.is(table.children.get(4), undefined);
  t.is(table.alive.get(4), 40);
});

test('a spawn expires the shared table: the walk right after it sees the new leader', async (t) => {
  const tag = tagFor(t);
  const containment = createPgroupContainment(realHost);
  t.teardown(() => containment.killSync());
  const before = realHost.processTable('shared');
  const child = containment.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  const after = realHost.processTable('shared');
  t.not(after, before);
  t.true(after.alive.has(child.pid!), 'the leader is in the table scanned after its spawn');
  t.deepEqual(await containment.members(), [child.pid]);
});

test('the subreaper knows an unreaped leader of any group, and forgets it once libuv has reaped it', async (t) => {
  const subreaper = processSubreaper();
  if (subreaper === undefined) return t.pass('no subreaper on this platform');
  const tag = tagFor(t);
  const containment = createPgroupContainment(realHost);
  t.teardown(() => containment.killSync());
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
