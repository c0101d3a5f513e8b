/**
 * Paths this host never takes on its own, run for real through the file
 * operations seam: a kernel without cgroup.kill (freeze and SIGKILL sweeps)
 * and an rmdir that keeps answering EBUSY (bounded retry, then
 * ECGROUP_REMOVE with the group still open so close() can be retried).
 * The retry bound runs on the mechanism's virtual clock: how fast the host
 * answers never decides a verdict.
 */
import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { ProcessGroup } from '../../src/index.js';
import { systemClock } from '../../src/driver/clock.js';
import { hardKillAndWait } from '../../src/driver/graceful.js';
import { realCgroupFs, type CgroupFs } from '../../src/mechanisms/cgroup/cgroup-fs.js';
import { createCgroupContainment } from '../../src/mechanisms/cgroup/cgroup-containment.js';
import { REMOVE_RETRY_MS } from '../../src/mechanisms/cgroup/remove-group-dir.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { zooScript, zooSize, LONG_SLEEP } from '../helpers/escape-zoo.js';
import { waitForSettledBesideForker } from '../helpers/settle.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { cgroupDirOf, destroyCgroupDir, requireCgroup, spawnShell, waitForSettledZoo } from './cgroup-kit.js';

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall} '${path}'`), { code, syscall, path });
}

/** A kernel before 5.14: no cgroup.kill file. Counts what the fallback did. */
function withoutCgroupKill() {
  const seen = { killWrites: 0, freezes: 0, thaws: 0 };
  const fs: CgroupFs = {
    ...realCgroupFs,
    writeFile: async (path, data) => {
      if (path.endsWith('/cgroup.kill')) {
        seen.killWrites++;
        throw errno('ENOENT', 'open', path);
      }
      if (path.endsWith('/cgroup.freeze')) data === '1' ? seen.freezes++ : seen.thaws++;
      return realCgroupFs.writeFile(path, data);
    },
    writeFileSync: (path, data) => {
      if (path.endsWith('/cgroup.kill')) throw errno('ENOENT', 'open', path);
      if (path.endsWith('/cgroup.freeze')) data === '1' ? seen.freezes++ : seen.thaws++;
      realCgroupFs.writeFileSync(path, data);
    },
  };
  return { fs, seen };
}

/** A group whose cgroup mechanism uses `fs`, and `clock` (the group's too) for every wait. */
async function groupOn(t: ExecutionContext, fs: CgroupFs, options = {}, clock?: VirtualClock) {
  const containment = await createCgroupContainment({ parent: undefined, limits: undefined, fs, clock });
  const dir = cgroupDirOf(containment);
  const group = ProcessGroup.fromContainment(containment, options);
  t.teardown(async () => {
    await group.close().catch(() => {});
    await destroyCgroupDir(dir);
  });
  return { group, containment };
}

test('without cgroup.kill, kill() freezes, sweeps with SIGKILL, thaws: the zoo and a forker are gone', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const { fs, seen } = withoutCgroupKill();
  const { group } = await groupOn(t, fs);
  spawnShell(group, tag, `sh -c 'while :; do ${LONG_SLEEP} & sleep 0.05; done' &\n${zooScript()}`);
  await waitForSettledBesideForker(tag, zooSize() + 1);

  await group.kill();

  t.is(seen.killWrites, 1, 'cgroup.kill was tried first');
  t.is(seen.freezes, 1);
  t.is(seen.thaws, 1);
  t.deepEqual(await group.members(), []);
  const dir = group.cgroupPath!;
  await group.close();
  t.false(existsSync(dir));
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});

test('without cgroup.kill, killSync() (the exit path) freezes, sweeps with SIGKILL and thaws: the zoo is gone', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const { fs, seen } = withoutCgroupKill();
  const containment = await createCgroupContainment({ parent: undefined, limits: undefined, fs });
  const dir = cgroupDirOf(containment);
  t.teardown(() => destroyCgroupDir(dir));
  const group = ProcessGroup.fromContainment(containment);
  t.teardown(() => group.close().catch(() => {}));
  spawnShell(group, tag, zooScript());
  await waitForSettledZoo(tag, zooSize());

  containment.killSync();

  t.deepEqual([seen.freezes, seen.thaws], [1, 1]);
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});

test('without cgroup.kill, an escalating shutdown still ends a SIGTERM ignorer', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const { fs, seen } = withoutCgroupKill();
  const { group } = await groupOn(t, fs, { shutdownTimeout: 200 });
  spawnShell(group, tag, zooScript(['ignoresTerm', 'stopped']));
  await waitForSettledZoo(tag, 3);

  const report = await group.shutdown();

  t.true(report.escalated);
  t.is(report.membersAfter, 0);
  t.is(seen.freezes, 1);
  await group.close();
  assertNoSurvivors(t, tag);
});

/** rmdir answers EBUSY for the first `busy` attempts. */
function busyRmdir(busy: number) {
  const seen = { attempts: 0, busy };
  const fs: CgroupFs = {
    ...realCgroupFs,
    rmdir: async (path) => {
      seen.attempts++;
      if (seen.attempts <= seen.busy) throw errno('EBUSY', 'rmdir', path);
      return realCgroupFs.rmdir(path);
    },
  };
  return { fs, seen };
}

test('rmdir answering EBUSY a few times is retried until the directory goes', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const { fs, seen } = busyRmdir(5);
  const clock = new VirtualClock();
  const { group, containment } = await groupOn(t, fs, {}, clock);
  spawnShell(group, tag, `exec ${LONG_SLEEP}`);
  await waitForSettledZoo(tag, 1);
  const dir = group.cgroupPath!;
  // Drained first, on the real clock: close() then finds nothing to wait for, and the containment's
  // virtual clock (its one clock, the drain's too) measures the removal alone.
  await hardKillAndWait(containment, 5000, systemClock);

  await group.close();

  t.is(seen.attempts, 6);
  t.deepEqual(clock.sleeps, [1, 2, 4, 8, 16], 'a doubling backoff between the attempts');
  t.false(existsSync(dir));
  t.true(group.closed);
  assertNoSurvivors(t, tag);
});

test('rmdir answering EBUSY for good: ECGROUP_REMOVE, the group stays open, and a later close() finishes the job', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const { fs, seen } = busyRmdir(Number.POSITIVE_INFINITY);
  const clock = new VirtualClock();
  const { group, containment } = await groupOn(t, fs, {}, clock);
  spawnShell(group, tag, `exec ${LONG_SLEEP}`);
  await waitForSettledZoo(tag, 1);
  const dir = group.cgroupPath!;
  await hardKillAndWait(containment, 5000, systemClock); // As above: the removal alone on the virtual clock.

  const error = await t.throwsAsync(group.close());

  t.is((error as { code?: string }).code, 'ECGROUP_REMOVE');
  t.true(seen.attempts > 1, 'it retried before giving up');
  t.true(clock.now() >= REMOVE_RETRY_MS, 'for the whole bound');
  t.false(group.closed, 'the group is still held, not forgotten');
  t.true(existsSync(dir));
  t.deepEqual(await waitUntilGone(tag.tag), [], 'the tree is gone');

  seen.busy = 0; // The directory frees up.
  await group.close();
  t.true(group.closed);
  t.false(existsSync(dir));
  assertNoSurvivors(t, tag);
});
