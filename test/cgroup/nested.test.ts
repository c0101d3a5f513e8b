/**
 * A group whose members make cgroups of their own inside it (a test runner
 * that itself uses corral, a container runtime, systemd-run in a build):
 * members in <group>/a and <group>/b/c are out of the group's own
 * cgroup.procs, and every operation must still cover them.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LONG_SLEEP } from '../helpers/escape-zoo.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { eventually, openCgroup, requireCgroup, spawnShell, waitForSettledZoo } from './cgroup-kit.js';

/** A leader that puts one member into <group>/a and one into <group>/b/c (the second one ignoring SIGTERM, if asked). */
function nestedTree(dir: string, { ignoreTerm = false } = {}): string {
  const enter = (sub: string, trap = '') =>
    `sh -c '${trap}echo $$ > "$0/cgroup.procs" && exec ${LONG_SLEEP}' '${join(dir, sub)}' &`;
  return [
    `mkdir -p '${dir}/a' '${dir}/b/c'`,
    enter('a'),
    enter('b/c', ignoreTerm ? 'trap "" TERM; ' : ''),
    `exec ${LONG_SLEEP}`,
  ].join('\n');
}

/** Long enough for the members that do not ignore SIGTERM to die of it on a loaded host or the TCG guest. */
const STAND_DOWN_GRACE_MS = process.env.CORRAL_VM ? 10_000 : 1000;

function frozenIn(dir: string): boolean {
  return /^frozen 1$/m.test(readFileSync(`${dir}/cgroup.events`, 'utf8'));
}

test('members in <group>/a and <group>/b/c: counted, frozen, signalled; a graceful shutdown drains them without escalating; close() removes every directory', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t, { shutdownTimeout: 30_000 });
  const dir = group.cgroupPath!;
  spawnShell(group, tag, nestedTree(dir));
  const pids = await waitForSettledZoo(tag, 3);

  t.deepEqual([...(await group.members())].sort(), [...pids].sort());
  t.is((await group.stats()).processes, 3);
  t.is(
    readFileSync(`${dir}/cgroup.procs`, 'utf8').trim().split('\n').length,
    1,
    'only the leader is in the group itself',
  );

  await group.suspend();
  t.true(frozenIn(dir));
  // The deepest cgroup reports its own state (a loaded host may show it a moment later).
  await eventually(() => frozenIn(join(dir, 'b/c')), 'the freeze reaches the deepest cgroup');
  await group.resume();
  await eventually(() => !frozenIn(join(dir, 'b/c')), 'the thaw reaches the deepest cgroup');

  const report = await group.shutdown();
  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  t.is(report.membersBefore, 3);
  t.is(report.phases[0]?.signalled, 3, 'SIGTERM reached the nested members');

  await group.close();
  t.false(existsSync(dir), 'the group and its sub-cgroups are gone');
  assertNoSurvivors(t, tag);
});

test('nested members: kill() ends them and close() removes the subtree; a stand-down spares them in the same places', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);

  const killed = await openCgroup(t);
  const killedDir = killed.cgroupPath!;
  spawnShell(killed, tag, nestedTree(killedDir));
  await waitForSettledZoo(tag, 3);
  await killed.kill();
  t.deepEqual(await killed.members(), []);
  t.deepEqual(await waitUntilGone(tag.tag, 5000), []);
  await killed.close();
  t.false(existsSync(killedDir));

  const spared = await openCgroup(t, { shutdownTimeout: STAND_DOWN_GRACE_MS, escalate: false });
  const sparedDir = spared.cgroupPath!;
  spawnShell(spared, tag, nestedTree(sparedDir, { ignoreTerm: true }));
  await waitForSettledZoo(tag, 3);
  const report = await spared.shutdown();
  t.true(report.stoodDown);
  t.is(report.membersAfter, 1, 'only the SIGTERM ignorer in b/c outlives SIGTERM');
  await spared.close();
  t.false(existsSync(sparedDir));
  const moved = readFileSync(`${sparedDir}-spared/b/c/cgroup.procs`, 'utf8').trim().split('\n').map(Number);
  t.deepEqual(moved, report.survivors, 'the survivor lives on in <group>-spared/b/c');
  // Teardown (openCgroup) kills the spared directory and removes it; the tag check proves it.
});
