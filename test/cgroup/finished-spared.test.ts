/**
 * Empty `-spared` directories of finished runs do not pile up: making a group
 * removes the empty spared siblings of dead owners beside it, and leaves a
 * spared directory alone while its members run or while its owner lives
 * (which may be about to move members in).
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGroup } from '../../src/group/process-group.js';
import { formatGroupName } from '../../src/mechanisms/cgroup/group-name.js';
import { startTimeOf } from '../../src/proc/stat.js';
import { hostContainment } from '../../src/host/host-containment.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { destroyCgroupDir, requireCgroup } from './cgroup-kit.js';

test('making a group removes the empty spared directories of dead owners beside it, and only those', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const parent = join(hostContainment().groupParent!, `corral-test-finished-spared-${process.pid}`);
  mkdirSync(parent);
  t.teardown(() => destroyCgroupDir(parent));

  // A dead owner: a process that has exited (its start time cannot match any live one).
  const deadPid = spawnSync('true').pid;
  const spared = (ownerPid: number, ownerStartTime: number, counter: number) => {
    const dir = join(parent, formatGroupName({ ownerPid, ownerStartTime, counter, spared: true }));
    mkdirSync(dir);
    return dir;
  };
  const finished = spared(deadPid, 1, 1);
  const stillRunning = spared(deadPid, 1, 2);
  const liveOwner = spared(process.pid, startTimeOf(process.pid)!, 999_999);
  const member = spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  t.teardown(() => member.kill('SIGKILL'));
  await new Promise((resolve) => member.once('spawn', resolve));
  writeFileSync(join(stillRunning, 'cgroup.procs'), String(member.pid));

  const group = await ProcessGroup.create({ mechanism: 'cgroup', guard: false, cgroupParent: parent });
  await group.close();

  t.false(existsSync(finished), 'the empty spared directory of a dead owner is gone');
  t.true(existsSync(stillRunning), 'one whose members still run stays');
  t.true(existsSync(liveOwner), 'one of a live owner stays');
  member.kill('SIGKILL');
  await new Promise((resolve) => member.once('exit', resolve));
  assertNoSurvivors(t, tag);
});
