/**
 * The cgroup mechanism against the escape zoo: every escapee (setsid,
 * double fork, new process group, SIGTERM ignorer, stopped member) plus a
 * member that keeps forking is killed, and the directory goes away.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { zooScript, zooSize, LONG_SLEEP } from '../helpers/escape-zoo.js';
import { waitForSettledBesideForker } from '../helpers/settle.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { openCgroup, requireCgroup, spawnShell, waitForSettledZoo } from './cgroup-kit.js';
import { slack } from '../helpers/patience.js';

/** A member that never stops forking: each round leaves one more long sleeper. */
const FORKER = `sh -c 'while :; do ${LONG_SLEEP} & sleep 0.05; done' &`;
const zooWithForker = `${FORKER}\n${zooScript()}`;
/** The zoo's long sleepers, the forker, and at least one of its sleepers. */
const FULL_ZOO = zooSize() + 2;

test('an escalating shutdown kills the whole zoo, forker included', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t, { shutdownTimeout: 300 });
  spawnShell(group, tag, zooWithForker);
  await waitForSettledBesideForker(tag, FULL_ZOO - 1);

  const report = await group.shutdown();

  t.true(report.escalated, 'the SIGTERM ignorer forced an escalation');
  t.false(report.drainedWithinGrace);
  t.true(report.membersBefore >= FULL_ZOO);
  t.is(report.membersAfter, 0);
  t.deepEqual(await waitUntilGone(tag.tag), []);
  const dir = group.cgroupPath!;
  await group.close();
  t.false(existsSync(dir), 'close() removed the directory');
  assertNoSurvivors(t, tag);
});

test('kill() ends the zoo at once and close() removes the directory', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t);
  spawnShell(group, tag, zooWithForker);
  await waitForSettledBesideForker(tag, FULL_ZOO - 1);

  await group.kill();

  t.deepEqual(await group.members(), []);
  t.deepEqual(await waitUntilGone(tag.tag), []);
  const dir = group.cgroupPath!;
  await group.close();
  t.false(existsSync(dir));
  assertNoSurvivors(t, tag);
});

test('a tree that exits on SIGTERM drains within the grace, without escalation', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t, { shutdownTimeout: 30_000 });
  spawnShell(group, tag, zooScript(['setsid', 'doubleFork', 'newProcessGroup', 'stopped']));
  await waitForSettledZoo(tag, 5);

  const report = await group.shutdown();

  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  t.is(report.phases[0]?.signalled, 5, 'SIGTERM reached every member, the escaped ones too');
  t.true(report.phases[0]?.drained);
  await group.close();
  assertNoSurvivors(t, tag);
});

test('a stand-down leaves the members running, close() spares them into a -spared directory', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t, { shutdownTimeout: await slack(100), escalate: false });
  spawnShell(group, tag, zooScript(['ignoresTerm', 'setsid']));
  const before = await waitForSettledZoo(tag, 3);

  const report = await group.shutdown();
  t.true(report.stoodDown);
  t.true(group.skipDropKill);
  t.is(report.membersAfter, 1, 'only the SIGTERM ignorer outlives SIGTERM');
  const dir = group.cgroupPath!;

  await group.close();

  t.false(existsSync(dir), 'the group directory itself is gone');
  t.true(existsSync(`${dir}-spared`), 'its members live on in the -spared directory');
  const spared = readFileSync(`${dir}-spared/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
  t.is(spared.length, report.membersAfter);
  t.true(spared.every((pid) => before.includes(pid)));
  t.true(report.survivors.every((pid) => spared.includes(pid)));
  // Teardown (openCgroup) kills the spared directory and removes it; the tag check proves it.
});

test('a spawn after a stand-down re-arms the kill on close()', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t, { shutdownTimeout: await slack(100), escalate: false });
  spawnShell(group, tag, zooScript(['ignoresTerm']));
  await waitForSettledZoo(tag, zooSize(['ignoresTerm']));
  t.true((await group.shutdown()).stoodDown);

  spawnShell(group, tag, `exec ${LONG_SLEEP}`);
  t.false(group.skipDropKill, 'the spawn re-armed kill-on-close');
  const dir = group.cgroupPath!;
  await group.close();

  t.false(existsSync(dir));
  t.false(existsSync(`${dir}-spared`), 'nothing was spared');
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});
