/**
 * ProcessGroup shutdown on real process trees under the process-group
 * mechanism: grace, escalation, stopped members, stand-down, phases.
 */
import test from 'ava';
import { zooScript, zooSize } from '../helpers/escape-zoo.js';
import type { ProcessGroup, ShutdownReport } from '../../src/index.js';
import {
  assertNoSurvivors,
  findTagged,
  killTagged,
  tagFor,
  waitForTagged,
  waitUntilGone,
  type Tag,
} from '../helpers/tagged-processes.js';
import { eventually, openPgroup, processState, sorted, spawnShell, waitForSleepers } from './open-pgroup.js';
import { patience, PATIENCE_MS, slack } from '../helpers/patience.js';

const LONG_GRACE = patience(20_000);

test('a member that ignores SIGTERM is hard-killed after the grace', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  spawnShell(group, tag, zooScript(['ignoresTerm']));
  await waitForSleepers(tag, zooSize(['ignoresTerm']));

  const report = await group.shutdown({ timeout: 300 });

  t.true(report.escalated);
  t.false(report.drainedWithinGrace);
  t.false(report.stoodDown);
  t.is(report.membersBefore, 2);
  t.is(report.membersAfter, 0);
  t.is(report.phases.length, 1);
  t.is(report.phases[0]?.signalled, 2);
  t.false(report.phases[0]?.drained);
  assertNoSurvivors(t, tag);
});

test('members that exit on SIGTERM drain within the grace, without escalation', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  spawnShell(group, tag, "sleep 1000 & sh -c 'sleep 1000 & exec sleep 1000' & exec sleep 1000");
  await waitForSleepers(tag, 4);

  const report = await group.shutdown({ timeout: LONG_GRACE });

  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  t.is(report.signal, 'SIGTERM');
  t.is(report.membersBefore, 4);
  t.is(report.membersAfter, 0);
  t.deepEqual(report.survivors, []);
  t.true(report.phases[0]?.drained);
  t.is(typeof report.elapsedMs, 'number');
  t.true(report.elapsedMs >= report.phases[0]!.elapsedMs);
  assertNoSurvivors(t, tag);
});

test('a stopped member still exits on the graceful signal (SIGCONT follows it)', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  spawnShell(group, tag, zooScript(['stopped']));
  const pids = await waitForTagged(tag.tag, zooSize(['stopped']));
  await eventually(() => pids.some((pid) => processState(pid) === 'T'), 'a member is stopped');

  const report = await group.shutdown({ timeout: LONG_GRACE });

  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  assertNoSurvivors(t, tag);
});

/** A tree whose SIGTERM-ignoring member outlives a short grace, and a shutdown that stands down. */
async function standDownOneSurvivor(group: ProcessGroup, tag: Tag): Promise<ShutdownReport> {
  spawnShell(group, tag, zooScript(['ignoresTerm']));
  await waitForSleepers(tag, zooSize(['ignoresTerm']));
  return group.shutdown({ timeout: await slack(100), escalate: false });
}

test('stand-down leaves the survivors running and close() spares them', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);

  const report = await standDownOneSurvivor(group, tag);

  t.true(report.stoodDown);
  t.false(report.escalated);
  t.is(report.membersAfter, 1);
  t.deepEqual(sorted(report.survivors), sorted(findTagged(tag.tag)));
  t.true(group.skipDropKill);
  await group.close();
  t.deepEqual(sorted(findTagged(tag.tag)), sorted(report.survivors), 'close() spared the stood-down tree');

  killTagged(tag.tag);
  t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), []);
  assertNoSurvivors(t, tag);
});

test('a spawn after a stand-down re-arms the kill on close()', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  t.true((await standDownOneSurvivor(group, tag)).stoodDown);

  spawnShell(group, tag, 'exec sleep 1000');
  t.false(group.skipDropKill);
  await waitForSleepers(tag, 2);
  await group.close();

  assertNoSurvivors(t, tag, 'the stood-down survivor and the new child were both killed');
});

test('multi-phase shutdown reports every phase', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  // The leader dies on SIGINT; its sibling ignores SIGINT and dies on SIGTERM.
  spawnShell(group, tag, `sh -c 'trap "" INT; exec sleep 1000' &\nexec sleep 1000`);
  await waitForSleepers(tag, 2);

  const report = await group.shutdown({
    phases: [
      { signal: 'SIGINT', timeout: 300 },
      { signal: 'SIGTERM', timeout: LONG_GRACE },
    ],
  });

  t.is(report.signal, 'SIGINT');
  t.deepEqual(
    report.phases.map((p) => [p.signal, p.signalled, p.drained, p.deliveryFailed]),
    [
      ['SIGINT', 2, false, false],
      ['SIGTERM', 1, true, false],
    ],
  );
  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  t.is(report.membersBefore, 2);
  t.is(report.membersAfter, 0);
  assertNoSurvivors(t, tag);
});

test('shutdown of an empty group reports a drained tree and sends nothing', async (t) => {
  const group = await openPgroup(t);
  const report = await group.shutdown({ timeout: 300 });
  t.true(report.drainedWithinGrace);
  t.is(report.membersBefore, 0);
  t.deepEqual(report.phases, []);
});
