/**
 * ProcessGroup's API on real trees under the process-group mechanism:
 * members, signal, kill, suspend/resume, stats, close and disposal.
 */
import test from 'ava';
import { ProcessGroup } from '../../src/index.js';
import { assertNoSurvivors, findTagged, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { eventually, GUARD, openPgroup, processState, sorted, spawnShell, waitForSleepers } from './open-pgroup.js';

const TREE_WITH_GRANDCHILDREN = "sleep 1000 & sh -c 'sleep 1000 & exec sleep 1000' & exec sleep 1000";

test('members() lists every live process of a tree with grandchildren; kill() ends them all', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  t.is(group.mechanism, 'pgroup');
  t.is(group.cgroupPath, undefined);
  spawnShell(group, tag, TREE_WITH_GRANDCHILDREN);
  const tagged = await waitForSleepers(tag, 4);

  t.deepEqual(sorted(await group.members()), sorted(tagged));
  await group.kill();

  assertNoSurvivors(t, tag);
  t.deepEqual(await group.members(), []);
});

test('a leader that exits leaves its children as members, and kill() gets them', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  const leader = spawnShell(group, tag, 'sleep 1000 & sleep 1000 & exit 0');
  await new Promise((resolve) => leader.once('exit', resolve));
  const orphans = await waitForSleepers(tag, 2);
  t.false(orphans.includes(leader.pid!));

  t.deepEqual(sorted(await group.members()), sorted(orphans));
  await group.kill();

  assertNoSurvivors(t, tag);
});

test("signal('SIGHUP') reaches every member, reparented ones included", async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  spawnShell(group, tag, "sh -c 'sleep 1000 &' & sleep 1000 & exec sleep 1000");
  await waitForSleepers(tag, 3);

  t.is(await group.signal('SIGHUP'), 3);

  await eventually(() => findTagged(tag.tag).length === 0, 'every member died of SIGHUP');
  assertNoSurvivors(t, tag);
});

test('suspend() stops every member and resume() continues them', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  spawnShell(group, tag, 'sleep 1000 & exec sleep 1000');
  const pids = await waitForSleepers(tag, 2);

  await group.suspend();
  await eventually(() => pids.every((pid) => processState(pid) === 'T'), 'every member is stopped');
  await group.resume();
  await eventually(() => pids.every((pid) => processState(pid) === 'S'), 'every member runs again');

  await group.close();
  assertNoSurvivors(t, tag);
});

test('stats() counts live members and their CPU time; finalStats() has no CPU time, which would miss the exited', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  t.deepEqual(await group.stats(), { processes: 0, cpuUsageMs: 0 });
  spawnShell(group, tag, 'while :; do :; done & exec sleep 1000');
  await waitForTagged(tag.tag, 2);

  await eventually(async () => ((await group.stats()).cpuUsageMs ?? 0) > 0, 'the busy member used CPU');
  t.is((await group.stats()).processes, 2);
  t.deepEqual(await group.finalStats(), { processes: 2 });

  await group.close();
  assertNoSurvivors(t, tag);
});

test('close() is idempotent and concurrent calls share one close', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  spawnShell(group, tag, 'sleep 1000 & exec sleep 1000');
  await waitForTagged(tag.tag, 2);

  const first = group.close();
  const second = group.close();
  t.is(first, second);
  await Promise.all([first, second]);
  t.true(group.closed);
  await t.notThrowsAsync(group.close());
  t.deepEqual(await group.members(), []);
  assertNoSurvivors(t, tag);
});

test('await using closes the group and kills its tree on scope exit', async (t) => {
  const tag = tagFor(t);
  let escaped: ProcessGroup | undefined;
  {
    await using group = await ProcessGroup.create({ mechanism: 'pgroup', guard: GUARD });
    escaped = group;
    spawnShell(group, tag, 'sleep 1000 & exec sleep 1000');
    await waitForTagged(tag.tag, 2);
  }
  t.true(escaped.closed);
  assertNoSurvivors(t, tag);
});
