/**
 * The guard program (src/guard/guard.sh) on its own: fed protocol lines by
 * hand, about cgroups and process groups made by hand, then its pipe closed
 * as a dying supervisor's would be.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { readProcStatSync, startTimeOf } from '../../src/proc/stat.js';
import { waitForSettled } from '../helpers/settle.js';
import { assertNoSurvivors, findTagged, tagFor, waitForTagged, waitUntilGone } from '../helpers/tagged-processes.js';
import { zooScript, zooSize, LONG_SLEEP } from '../helpers/escape-zoo.js';
import {
  assertAllGone,
  driveGuard,
  endLeftRunning,
  guardAnswersDeath,
  makeCgroup,
  ownCgroupDir,
  populated,
  startTreeInCgroup,
  startTreeInProcessGroup,
} from './fixtures.js';
import { PATIENCE_MS } from '../helpers/patience.js';

const cgroupParent = ownCgroupDir();
const cgroupTest = cgroupParent ? test : test.skip;
const GENEROUS_MS = PATIENCE_MS;

cgroupTest(
  'EOF without goodbye: every member of a registered cgroup dies, escapees included, and the directory goes',
  async (t) => {
    const tag = tagFor(t);
    const dir = makeCgroup(t, cgroupParent!);
    startTreeInCgroup(dir, tag, zooScript());
    await waitForSettled(tag, zooSize());
    const guard = driveGuard(t);
    guard.send(`C 0 ${dir}\n`);
    await guard.sync();
    t.true(populated(dir), 'the tree is still up while the supervisor lives');
    guard.end();
    await guard.exited;
    t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
    t.false(existsSync(dir), 'the guard removed the cgroup directory');
    assertNoSurvivors(t, tag);
  },
);

cgroupTest(
  'no cgroup.kill (a kernel before 5.14): the guard freezes the cgroup and SIGKILLs every member',
  async (t) => {
    const tag = tagFor(t);
    const dir = makeCgroup(t, cgroupParent!);
    startTreeInCgroup(dir, tag, zooScript());
    await waitForSettled(tag, zooSize());
    await guardAnswersDeath(t, `C 0 ${dir}\n`, { CORRAL_GUARD_NO_CGROUP_KILL: '1' });
    t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
    t.false(existsSync(dir));
    assertNoSurvivors(t, tag);
  },
);

cgroupTest('a forgotten cgroup is left alone', async (t) => {
  const tag = tagFor(t);
  const dir = makeCgroup(t, cgroupParent!);
  startTreeInCgroup(dir, tag, `exec ${LONG_SLEEP}`);
  await waitForSettled(tag, 1);
  await guardAnswersDeath(t, `C 7 ${dir}\nU 7\n`);
  t.is(findTagged(tag.tag).length, 1, 'the stood-down tree still runs');
  t.true(existsSync(dir));
  await endLeftRunning(t, tag);
});

cgroupTest('goodbye: no signal, but a registered cgroup that drains is removed', async (t) => {
  const tag = tagFor(t);
  const alive = makeCgroup(t, cgroupParent!);
  const empty = makeCgroup(t, cgroupParent!);
  startTreeInCgroup(alive, tag, `exec ${LONG_SLEEP}`);
  await waitForSettled(tag, 1);
  const guard = driveGuard(t);
  guard.send(`C 1 ${alive}\nC 2 ${empty}\nB\n`);
  // The guard waits, bounded, for the registered trees to drain; it does not kill.
  await guard.exited;
  t.is(findTagged(tag.tag).length, 1, 'the guard sent no signal after goodbye');
  t.true(existsSync(alive), 'a directory still in use stays');
  t.false(existsSync(empty), 'a drained directory is removed');
  await endLeftRunning(t, tag);
});

cgroupTest('many groups: 200 registered cgroups are all killed and removed', async (t) => {
  const tag = tagFor(t);
  const dirs = Array.from({ length: 200 }, () => makeCgroup(t, cgroupParent!));
  const guard = driveGuard(t);
  dirs.forEach((dir, slot) => {
    // Every fourth holds a tree; the rest are empty, as groups often are.
    if (slot % 4 === 0) startTreeInCgroup(dir, tag, `${LONG_SLEEP} & exec ${LONG_SLEEP}`);
    guard.send(`C ${slot} ${dir}\n`);
  });
  await waitForSettled(tag, 100, GENEROUS_MS);
  await guard.sync();
  guard.end();
  await guard.exited;
  t.deepEqual(await waitUntilGone(tag.tag, GENEROUS_MS), []);
  t.deepEqual(
    dirs.filter((dir) => existsSync(dir)),
    [],
  );
  assertNoSurvivors(t, tag);
});

cgroupTest('a cgroup path with spaces (leading, inner, trailing) is torn down all the same', async (t) => {
  const dir = makeCgroup(t, cgroupParent!, ` guard test ${process.pid}  with spaces `);
  await guardAnswersDeath(t, `C 0 ${dir}\n`);
  t.false(existsSync(dir));
});

cgroupTest(
  'a long-lived registry: after hundreds of forgotten records (the slot list compacted), exactly the remembered ones are torn down',
  async (t) => {
    const dirs = Array.from({ length: 300 }, () => makeCgroup(t, cgroupParent!));
    const remembered = new Set([3, 150, 257, 299]);
    let lines = dirs.map((dir, slot) => `C ${slot} ${dir}\n`).join('');
    const forgotten = dirs.map((_, slot) => slot).filter((slot) => !remembered.has(slot));
    for (let i = 0; i < forgotten.length; i += 50) lines += `U ${forgotten.slice(i, i + 50).join(' ')}\n`;
    await guardAnswersDeath(t, lines);
    t.deepEqual(
      dirs.map((dir, slot) => [slot, existsSync(dir)]).filter(([, exists]) => !exists),
      [...remembered].map((slot) => [slot, false]),
    );
  },
);

test('EOF: a registered process group dies, stopped and SIGTERM-ignoring members included', async (t) => {
  const tag = tagFor(t);
  const tree = startTreeInProcessGroup(tag, zooScript(['doubleFork', 'ignoresTerm', 'stopped']));
  await waitForSettled(tag, zooSize(['doubleFork', 'ignoresTerm', 'stopped']));
  await guardAnswersDeath(t, `P 0 ${tree.pgid} ${tree.leaderStartTime}\n`);
  await assertAllGone(t, tag);
});

test('EOF: fallback records: every marker carrier, every seen member and its descendants die, with no process group record', async (t) => {
  const tag = tagFor(t);
  const marker = `guardtest.${process.pid}.${Date.now()}`;
  const withMarker = { ...tag, env: { ...tag.env, CORRAL_GROUP: marker } };
  // A setsid'd marker carrier; a setsid'd member that dropped the marker, with a child of its own; the leader.
  const cleared = `setsid env -u CORRAL_GROUP sh -c '${LONG_SLEEP} & exec ${LONG_SLEEP}' &`;
  const tree = startTreeInProcessGroup(withMarker, `setsid ${LONG_SLEEP} &\n${cleared}\nexec ${LONG_SLEEP}`);
  const pids = await waitForSettled(tag, 4);
  const unmarked = pids.filter(
    (pid) => !readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`CORRAL_GROUP=${marker}`),
  );
  t.is(unmarked.length, 2);
  const seen = unmarked.find((pid) => !unmarked.includes(readProcStatSync(pid)!.ppid))!;
  await guardAnswersDeath(t, `E 0 ${marker}\nM 1 ${seen} ${startTimeOf(seen)}\n`);
  await assertAllGone(t, tag);
  t.truthy(tree.pgid);
});

test('EOF: a process group whose leader exited is still killed through its members', async (t) => {
  const tag = tagFor(t);
  // The leader leaves two sleepers in its group and exits.
  const tree = startTreeInProcessGroup(tag, `${LONG_SLEEP} & ${LONG_SLEEP} & exit 0`);
  // Listened to before any wait: the leader may exit (and 'exit' be emitted) while the sleepers are awaited.
  const leaderExited = new Promise((resolve) => tree.child.once('exit', resolve));
  await waitForTagged(tag.tag, 2);
  await leaderExited;
  await guardAnswersDeath(t, `P 0 ${tree.pgid} ${tree.leaderStartTime}\n`);
  await assertAllGone(t, tag);
});

test('EOF: a process group whose leader has another start time (a recycled pid) is not touched', async (t) => {
  const tag = tagFor(t);
  const tree = startTreeInProcessGroup(tag, `exec ${LONG_SLEEP}`);
  await waitForSettled(tag, 1);
  await guardAnswersDeath(t, `P 0 ${tree.pgid} ${tree.leaderStartTime - 1}\n`);
  t.deepEqual(findTagged(tag.tag), [tree.pgid], 'a stranger with the same pid lives on');
  await endLeftRunning(t, tag);
});

test('terminal and service signals do not stop the guard: only its pipe does', async (t) => {
  const guard = driveGuard(t);
  await guard.sync();
  for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.kill(guard.pid, signal);
  await guard.sync();
  t.true(existsSync(`/proc/${guard.pid}`), 'the guard still answers');
  guard.end();
  await guard.exited;
  t.false(existsSync(`/proc/${guard.pid}`), 'the guard left on EOF');
});
