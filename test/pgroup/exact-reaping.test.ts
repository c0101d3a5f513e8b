/**
 * Exact reaping, against the real kernel: while a fallback group is open,
 * every zombie child of the supervisor that libuv did not spawn is reaped
 * (the orphans of the application's own plain children, an unattributed
 * escapee, an orphan adopted while the subreaper was on that dies after it
 * went off), and every plain child, in the main thread, in a Worker and
 * through spawnSync, keeps its exit code. Every verdict waits on an event.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ProcessGroup } from '../../src/index.js';
import { childSubreaperIsOn } from '../../src/libc/libc.js';
import { LibuvChildren } from '../../src/mechanisms/pgroup/libuv-children.js';
import { readProcStatSync } from '../../src/proc/stat.js';
import { eventually } from '../helpers/settle.js';
import { killTagged, tagFor, waitForTagged, type Tag } from '../helpers/tagged-processes.js';
import { zombieChildren } from '../helpers/zombie-children.js';

/** Leaves a dying setsid orphan, a dying double-forked one and a plain one, then exits with `code`. */
const orphansThenExit = (code: number) => `(setsid sh -c 'exit 0' &); (sh -c 'true &' &); sh -c 'true' & exit ${code}`;

async function openGroup(t: ExecutionContext, tag: Tag): Promise<{ group: ProcessGroup; leader: ChildProcess }> {
  const group = await ProcessGroup.create({ mechanism: 'pgroup', guard: false });
  t.teardown(async () => {
    await group.close();
    killTagged(tag.tag);
  });
  // Its first spawn switches the subreaper on; the leader sleeps until close().
  const leader = group.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  t.true(childSubreaperIsOn(), 'the subreaper is on while the group is open');
  return { group, leader };
}

const exitCode = async (child: ChildProcess): Promise<number | null> =>
  ((await once(child, 'exit')) as [number | null])[0];

test.serial(
  'plain children keep their exit codes (main thread, Worker, spawnSync) while their orphans are reaped',
  async (t) => {
    const tag = tagFor(t);
    await openGroup(t, tag);
    const codes = Array.from({ length: 20 }, (_, i) => i + 1);
    const inMain = codes.map((code) =>
      exitCode(spawn('sh', ['-c', orphansThenExit(code)], { env: tag.env, stdio: 'ignore' })),
    );
    const worker = new Worker(
      `const { spawn } = require('node:child_process');
     const { parentPort, workerData } = require('node:worker_threads');
     Promise.all(workerData.scripts.map((script) => new Promise((resolve) => {
       spawn('sh', ['-c', script], { env: workerData.env, stdio: 'ignore' }).on('exit', resolve);
     }))).then((got) => parentPort.postMessage(got));`,
      { eval: true, workerData: { scripts: codes.map(orphansThenExit), env: tag.env } },
    );
    const inWorker = once(worker, 'message');
    const sync = spawnSync('sh', ['-c', orphansThenExit(77)], { env: tag.env, stdio: 'ignore' });
    t.is(sync.status, 77, 'spawnSync keeps its status');
    t.deepEqual(await Promise.all(inMain), codes, 'every main-thread child kept its exit code');
    t.deepEqual(((await inWorker) as [number[]])[0], codes, 'every Worker child kept its exit code');
    await worker.terminate();
    await eventually(
      () => zombieChildren().length === 0,
      'every orphan of the plain children reaped, the group still open',
    );
  },
);

test.serial(
  'an escapee that cleared its environment and left the session, dead before any walk saw it, is reaped',
  async (t) => {
    const tag = tagFor(t);
    const { group } = await openGroup(t, tag);
    const escaper = group.spawn('sh', ['-c', `(setsid env -i sh -c 'exit 0' &); (env -i sh -c 'true &' &); exit 0`], {
      env: tag.env,
      stdio: 'ignore',
    });
    t.is(await exitCode(escaper), 0);
    await eventually(() => zombieChildren().length === 0, 'the unattributed zombies reaped');
  },
);

test.serial('an orphan adopted while the subreaper was on that dies after it went off is reaped', async (t) => {
  const tag = tagFor(t);
  const { group, leader } = await openGroup(t, tag);
  const plain = spawn('sh', ['-c', '(setsid sleep 1000 &); exit 0'], { env: tag.env, stdio: 'ignore' });
  t.is(await exitCode(plain), 0);
  const adopted = (await waitForTagged(tag.tag, 2)).find((pid) => pid !== leader.pid)!;
  t.is(readProcStatSync(adopted)?.ppid, process.pid, 'adopted by the subreaper');
  await group.close();
  t.false(childSubreaperIsOn(), 'the subreaper went off with the last group');
  process.kill(adopted, 'SIGKILL');
  await eventually(
    () => readProcStatSync(adopted) === undefined,
    'the orphan that died after the subreaper went off is reaped',
  );
  // The group's leader, killed by close(), is libuv's to reap: on a slow machine its exit can still be on its way.
  await eventually(() => zombieChildren().length === 0, 'no zombie child left');
});

test("libuv's unreaped children: a ChildProcess counts from its spawn until its exit, a failed spawn never", async (t) => {
  const tag = tagFor(t);
  const libuv = new LibuvChildren();
  const child = spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  const failed = spawn('/nonexistent/corral-test', { stdio: 'ignore' });
  const failure = once(failed, 'error');
  t.deepEqual([...libuv.unreaped()], [child.pid]);
  child.kill('SIGKILL');
  await once(child, 'exit');
  await failure;
  t.deepEqual([...libuv.unreaped()], [], 'reaped by libuv: its pid may name another process now');
});
