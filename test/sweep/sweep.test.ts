/**
 * sweepStaleGroups() on hand-made corral directories (named as the cgroup
 * mechanism names them) under a private parent, so that it never meets
 * another test's groups.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CorralError, sweepStaleGroups } from '../../src/index.js';
import { formatGroupName } from '../../src/mechanisms/cgroup/group-name.js';
import { realCgroupFs, type CgroupFs } from '../../src/mechanisms/cgroup/cgroup-fs.js';
import { REMOVE_RETRY_MS } from '../../src/mechanisms/cgroup/remove-group-dir.js';
import { sweepStaleGroupsWith } from '../../src/sweep/sweep-stale-groups.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { startTimeOf } from '../../src/proc/stat.js';
import { zooScript, zooSize, LONG_SLEEP } from '../helpers/escape-zoo.js';
import { waitForSettled } from '../helpers/settle.js';
import { findTagged, tagFor } from '../helpers/tagged-processes.js';
import { assertAllGone, endLeftRunning, makeCgroup, ownCgroupDir, startTreeInCgroup } from '../guard/fixtures.js';
import { destroyCgroupDir } from '../cgroup/cgroup-kit.js';

const cgroupParent = ownCgroupDir();
const cgroupTest = cgroupParent ? test : test.skip;
let counter = 0;

/** A pid and start time that named a process which has exited. */
async function deadOwner(): Promise<{ pid: number; startTime: number }> {
  const child = spawn('true');
  const startTime = startTimeOf(child.pid!)!;
  await once(child, 'exit');
  return { pid: child.pid!, startTime };
}

/** A corral-named group directory under `parent`, removed (with what is in it) at teardown. */
function groupDir(
  t: ExecutionContext,
  parent: string,
  owner: { pid: number; startTime: number },
  spared = false,
): string {
  const name = formatGroupName({ ownerPid: owner.pid, ownerStartTime: owner.startTime, counter: ++counter, spared });
  const dir = join(parent, name);
  mkdirSync(dir);
  t.teardown(() => destroyCgroupDir(dir));
  return dir;
}

const self = () => ({ pid: process.pid, startTime: startTimeOf(process.pid)! });

cgroupTest(
  'a dead owner: the tree in its group is killed (escapees and sub-cgroups too) and the directory removed',
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const dir = groupDir(t, parent, await deadOwner());
    const nested = join(dir, 'made-by-the-tree');
    mkdirSync(nested);
    t.teardown(() => destroyCgroupDir(nested));
    startTreeInCgroup(dir, tag, zooScript());
    startTreeInCgroup(nested, tag, `exec ${LONG_SLEEP}`);
    await waitForSettled(tag, zooSize() + 1);
    const report = await sweepStaleGroups({ root: parent });
    t.deepEqual(
      report.groups.map((g) => [g.path, g.action, g.processesKilled]),
      [[dir, 'removed', zooSize() + 1]],
    );
    t.is(report.removed, 1);
    t.is(report.processesKilled, zooSize() + 1);
    t.false(existsSync(dir));
    await assertAllGone(t, tag);
  },
);

cgroupTest('a live owner, and directories that are not corral groups, are never touched', async (t) => {
  const tag = tagFor(t);
  const parent = makeCgroup(t, cgroupParent!);
  const mine = groupDir(t, parent, self());
  const strangers = ['corral', 'corral-1-2', 'corral-x-1-2', `corral-${process.pid}-1-2-extra`].map((name) =>
    makeCgroup(t, parent, name),
  );
  startTreeInCgroup(mine, tag, `exec ${LONG_SLEEP}`);
  startTreeInCgroup(strangers[0]!, tag, `exec ${LONG_SLEEP}`);
  await waitForSettled(tag, 2);
  const report = await sweepStaleGroups({ root: parent });
  t.deepEqual(
    report.groups.map((g) => [g.path, g.action]),
    [[mine, 'owner-alive']],
  );
  t.is(findTagged(tag.tag).length, 2);
  t.true([mine, ...strangers].every((dir) => existsSync(dir)));
  await endLeftRunning(t, tag);
});

cgroupTest('an owner pid now held by another process (other start time) counts as gone', async (t) => {
  const parent = makeCgroup(t, cgroupParent!);
  const dir = groupDir(t, parent, { pid: process.pid, startTime: startTimeOf(process.pid)! + 1 });
  const report = await sweepStaleGroups({ root: parent });
  t.deepEqual(
    report.groups.map((g) => [g.path, g.action]),
    [[dir, 'removed']],
  );
  t.false(existsSync(dir));
});

cgroupTest('spared groups of a dead owner: left running unless includeSpared; removed once empty', async (t) => {
  const tag = tagFor(t);
  const parent = makeCgroup(t, cgroupParent!);
  const owner = await deadOwner();
  const running = groupDir(t, parent, owner, true);
  const empty = groupDir(t, parent, owner, true);
  startTreeInCgroup(running, tag, `exec ${LONG_SLEEP}`);
  await waitForSettled(tag, 1);

  const first = await sweepStaleGroups({ root: parent });
  const byPath = new Map(first.groups.map((g) => [g.path, g.action]));
  t.is(byPath.get(running), 'spared-kept');
  t.is(byPath.get(empty), 'removed');
  t.is(findTagged(tag.tag).length, 1, 'the spared tree runs on');
  t.false(existsSync(empty));

  const second = await sweepStaleGroups({ root: parent, includeSpared: true });
  t.deepEqual(
    second.groups.map((g) => [g.path, g.action, g.processesKilled]),
    [[running, 'removed', 1]],
  );
  await assertAllGone(t, tag);
});

cgroupTest('dryRun says what it would do and touches nothing', async (t) => {
  const tag = tagFor(t);
  const parent = makeCgroup(t, cgroupParent!);
  const dir = groupDir(t, parent, await deadOwner());
  startTreeInCgroup(dir, tag, `${LONG_SLEEP} & exec ${LONG_SLEEP}`);
  await waitForSettled(tag, 2);
  const report = await sweepStaleGroups({ root: parent, dryRun: true });
  t.deepEqual(
    report.groups.map((g) => [g.action, g.processesKilled]),
    [['would-remove', 2]],
  );
  t.is(report.removed, 0);
  t.is(report.processesKilled, 0);
  t.is(findTagged(tag.tag).length, 2);
  t.true(existsSync(dir));
  await endLeftRunning(t, tag);
});

/** The real cgroup file operations, except that rmdir of `dir` answers EBUSY `times` times. */
function busyRmdir(dir: string, times: number): CgroupFs & { attempts: () => number } {
  let attempts = 0;
  const busy = () => Object.assign(new Error(`EBUSY: resource busy or locked, rmdir '${dir}'`), { code: 'EBUSY' });
  return {
    ...realCgroupFs,
    rmdir: async (path) => {
      if (path === dir && attempts++ < times) throw busy();
      return realCgroupFs.rmdir(path);
    },
    attempts: () => attempts,
  };
}

cgroupTest('rmdir answering EBUSY for a while: retried, bounded, and the group is removed', async (t) => {
  const parent = makeCgroup(t, cgroupParent!);
  const dir = groupDir(t, parent, await deadOwner());
  const fs = busyRmdir(dir, 5);
  const clock = new VirtualClock();
  const report = await sweepStaleGroupsWith({ root: parent }, { fs, clock });
  t.deepEqual(
    report.groups.map((g) => g.action),
    ['removed'],
  );
  t.is(fs.attempts(), 6);
  t.deepEqual(clock.sleeps, [1, 2, 4, 8, 16], 'a doubling backoff, on the virtual clock');
  t.false(existsSync(dir));
});

cgroupTest(
  'rmdir answering EBUSY past the bound: reported as failed (ECGROUP_REMOVE), nothing forgotten, and the next sweep removes it',
  async (t) => {
    const parent = makeCgroup(t, cgroupParent!);
    const dir = groupDir(t, parent, await deadOwner());
    const clock = new VirtualClock();
    const report = await sweepStaleGroupsWith({ root: parent }, { fs: busyRmdir(dir, Infinity), clock });
    t.true(clock.now() >= REMOVE_RETRY_MS, 'retried for the whole bound');
    t.is(report.failed, 1);
    t.is(report.groups[0]?.action, 'failed');
    t.is(report.groups[0]?.error?.code, 'ECGROUP_REMOVE');
    t.true(existsSync(dir));
    const again = await sweepStaleGroups({ root: parent });
    t.deepEqual(
      again.groups.map((g) => [g.path, g.action]),
      [[dir, 'removed']],
    );
  },
);

cgroupTest(
  'no cgroup.kill (a kernel before 5.14): the freeze-and-sweep fallback still kills every member',
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const dir = groupDir(t, parent, await deadOwner());
    startTreeInCgroup(dir, tag, zooScript());
    await waitForSettled(tag, zooSize());
    let refused = 0;
    const fs: CgroupFs = {
      ...realCgroupFs,
      writeFile: async (path, data) => {
        if (path.endsWith('/cgroup.kill')) {
          refused += 1;
          throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
        }
        return realCgroupFs.writeFile(path, data);
      },
    };
    const report = await sweepStaleGroupsWith({ root: parent }, { fs });
    t.true(refused > 0);
    t.deepEqual(
      report.groups.map((g) => [g.action, g.processesKilled]),
      [['removed', zooSize()]],
    );
    await assertAllGone(t, tag);
  },
);

test('bad options are refused before anything is touched', async (t) => {
  for (const options of [
    { root: '/tmp' },
    { root: 7 },
    { includeSpared: 'yes' },
    { dryRun: 1 },
    { killTimeout: -1 },
    { nope: true },
    'x',
  ]) {
    const error = await t.throwsAsync(sweepStaleGroups(options as never), { instanceOf: CorralError });
    t.is(error?.code, 'EINVALID_OPTION', JSON.stringify(options));
  }
});
