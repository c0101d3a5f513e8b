/**
 * run() in the library, against both mechanisms: exit status, timeout,
 * cancellation, the three leftovers policies, and the failures (spawn error,
 * bad options, an already-aborted signal) that must leave nothing behind.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CorralError, type CorralErrorCode } from '../../src/errors.js';
import { run, runOnClock, type RunOptions } from '../../src/run/run.js';
import { type escapees, zooScript, zooSize } from '../helpers/escape-zoo.js';
import { gatedClock } from '../helpers/gated-clock.js';
import { waitForSettled } from '../helpers/settle.js';
import { assertNoSurvivors, findTagged, tagFor, waitForTagged, type Tag } from '../helpers/tagged-processes.js';
import { daemonThenExit, waitForSleeper } from './daemon-leader.js';
import { cleanUpKept, groupDirsOf } from './group-dirs.js';

type Mechanism = 'cgroup' | 'pgroup';
const MECHANISMS: Mechanism[] = ['cgroup', 'pgroup'];

/** The escapees each mechanism must catch: process groups cannot follow setsid() or setpgid(). */
const ZOO: Record<Mechanism, Array<keyof typeof escapees>> = {
  cgroup: ['setsid', 'doubleFork', 'newProcessGroup', 'ignoresTerm', 'stopped'],
  pgroup: ['doubleFork', 'ignoresTerm', 'stopped'],
};

/** run() options for daemonThenExit(): the leader's stdin is closed once the daemon runs. */
function daemonOptions(tag: Tag, mechanism: Mechanism): RunOptions {
  return {
    env: tag.env,
    stdio: ['pipe', 'ignore', 'ignore'],
    mechanism,
    onSpawn: (child) => void waitForSleeper(tag.tag).finally(() => child.stdin?.end()),
  };
}

for (const mechanism of MECHANISMS) {
  test(`${mechanism}: passes the leader's exit code through`, async (t) => {
    const tag = tagFor(t);
    const result = await run('sh', ['-c', 'exit 3'], { env: tag.env, stdio: 'ignore', mechanism });
    t.is(result.exitCode, 3);
    t.is(result.signal, null);
    t.false(result.timedOut);
    t.false(result.cancelled);
    t.deepEqual(result.leftovers, []);
    t.is(result.report, undefined);
    t.is(result.mechanism, mechanism);
    t.true(result.pid! > 0);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a timeout shuts the whole tree down and escalates past SIGTERM-ignorers`, async (t) => {
    const tag = tagFor(t);
    // The timeout runs out once the whole zoo is up (the TERM-ignorer's trap set), however slow the machine.
    const gate = gatedClock();
    const running = runOnClock(gate.clock, 'sh', ['-c', zooScript(ZOO[mechanism])], {
      env: tag.env,
      stdio: 'ignore',
      mechanism,
      timeout: 1000,
      grace: 300,
    });
    t.is(await gate.asked, 1000, 'the timeout runs on the clock');
    await waitForSettled(tag, zooSize(ZOO[mechanism]));
    gate.open();
    const result = await running;
    t.true(result.timedOut);
    t.false(result.cancelled);
    t.is(result.exitCode, null);
    t.truthy(result.signal);
    t.truthy(result.report);
    t.true(result.report!.escalated, 'the TERM-ignoring member forced an escalation');
    t.is(
      result.report!.membersBefore,
      zooSize(ZOO[mechanism]),
      'every member of the zoo was there when the timeout ran out',
    );
    t.deepEqual(result.leftovers, []);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: an AbortSignal cancels the run gracefully`, async (t) => {
    const tag = tagFor(t);
    const controller = new AbortController();
    const running = run('sh', ['-c', zooScript(['doubleFork'])], {
      env: tag.env,
      stdio: 'ignore',
      mechanism,
      signal: controller.signal,
    });
    await waitForTagged(tag.tag, 2);
    controller.abort();
    const result = await running;
    t.true(result.cancelled);
    t.false(result.timedOut);
    t.is(result.signal, 'SIGTERM');
    t.true(result.report!.drainedWithinGrace);
    t.false(result.report!.escalated);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: leftovers 'kill' (the default) stops a double-forked daemon after the leader exits`, async (t) => {
    const tag = tagFor(t);
    const result = await run('sh', ['-c', daemonThenExit(0)], daemonOptions(tag, mechanism));
    t.is(result.exitCode, 0);
    t.true(result.leftovers.length >= 1, 'the daemon was still running when the leader exited');
    t.deepEqual(
      result.leftoverProcesses.map((p) => p.pid),
      result.leftovers,
    );
    t.true(
      result.leftoverProcesses.some((p) => p.command === 'sleep 1000'),
      'the daemon is named by its command line',
    );
    t.truthy(result.report);
    t.true(result.report!.membersBefore >= 1);
    t.false(result.timedOut);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: leftovers 'keep' leaves the daemon running`, async (t) => {
    const tag = tagFor(t);
    t.teardown(() => cleanUpKept(tag.tag));
    const result = await run('sh', ['-c', daemonThenExit(0)], { ...daemonOptions(tag, mechanism), leftovers: 'keep' });
    t.is(result.exitCode, 0);
    t.true(result.leftovers.length >= 1);
    t.is(result.report, undefined);
    const alive = findTagged(tag.tag);
    t.true(alive.length >= 1, 'the daemon survived the run');
    t.true(
      alive.every((pid) => result.leftovers.includes(pid)),
      'what survived is what was reported',
    );
    await cleanUpKept(tag.tag);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: leftovers 'wait' waits for a tree that ends on its own`, async (t) => {
    const tag = tagFor(t);
    // The leftover ends once a file appears, and the file is made only after
    // run() has looked at the group after the leader's exit (a spy on the
    // real members()): on a loaded machine the 'exit' event can come seconds
    // after the reap, so no sleep could stand in for this handshake.
    const release = join(mkdtempSync(join(tmpdir(), 'corral-wait-')), 'release');
    t.teardown(() => rmSync(dirname(release), { recursive: true, force: true }));
    const script = `(while [ ! -e '${release}' ]; do sleep 0.02; done) &\nexit 5`;
    const result = await run('sh', ['-c', script], {
      env: tag.env,
      stdio: 'ignore',
      mechanism,
      leftovers: 'wait',
      onSpawn: (child, group) => {
        const members = group.members.bind(group);
        group.members = async () => {
          const found = await members();
          if (child.exitCode !== null && found.length > 0) writeFileSync(release, '');
          return found;
        };
      },
    });
    t.is(result.exitCode, 5);
    t.true(result.leftovers.length >= 1);
    t.is(result.report, undefined, 'nothing had to be stopped: the tree ended on its own');
    t.false(result.timedOut);
    t.false(result.cancelled);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: leftovers 'wait' still honours cancellation`, async (t) => {
    const tag = tagFor(t);
    const controller = new AbortController();
    const options = daemonOptions(tag, mechanism);
    const result = await run('sh', ['-c', daemonThenExit(0)], {
      ...options,
      leftovers: 'wait',
      signal: controller.signal,
      onSpawn: (child, group) => {
        options.onSpawn!(child, group);
        child.once('exit', () => controller.abort());
      },
    });
    t.is(result.exitCode, 0, 'the leader had exited on its own');
    t.true(result.cancelled);
    t.true(result.leftovers.length >= 1);
    t.true(result.report!.membersBefore >= 1);
    assertNoSurvivors(t, tag);
  });

  test.serial(
    `${mechanism}: a command that cannot be found rejects with Node's ENOENT and leaves nothing`,
    async (t) => {
      const tag = tagFor(t);
      const error = await t.throwsAsync(
        run('/nonexistent/corral-test-command', [], { env: tag.env, stdio: 'ignore', mechanism }),
      );
      t.is((error as NodeJS.ErrnoException).code, 'ENOENT');
      t.is((error as NodeJS.ErrnoException).syscall, 'spawn /nonexistent/corral-test-command');
      t.deepEqual(groupDirsOf(process.pid), [], 'no group directory is left (serial tests run before the others)');
      assertNoSurvivors(t, tag);
    },
  );
}

test.serial('bad options are CorralErrors with stable codes, and nothing is created', async (t) => {
  const cases: Array<[Record<string, unknown>, CorralErrorCode]> = [
    [{ leftovers: 'maybe' }, 'EINVALID_OPTION'],
    [{ grace: -1 }, 'EINVALID_OPTION'],
    [{ timeout: 'soon' }, 'EINVALID_OPTION'],
    [{ killSignal: 'SIGFOO' }, 'EINVALID_SIGNAL'],
    [{ mechanism: 'jail' }, 'EINVALID_MECHANISM'],
    [{ limits: { pids: 0 } }, 'EINVALID_LIMIT'],
    [{ signal: 'stop' }, 'EINVALID_OPTION'],
    [{ onSpawn: 3 }, 'EINVALID_OPTION'],
    [{ bogus: true }, 'EINVALID_OPTION'],
  ];
  for (const [options, code] of cases) {
    const error = await t.throwsAsync(
      run('true', [], options as never),
      { instanceOf: CorralError },
      JSON.stringify(options),
    );
    t.is((error as CorralError).code, code, JSON.stringify(options));
  }
  await t.throwsAsync(run('', []), { instanceOf: CorralError });
  t.deepEqual(groupDirsOf(process.pid), []);
});

test('an AbortSignal that has already fired rejects with its reason before anything starts', async (t) => {
  const tag = tagFor(t);
  const controller = new AbortController();
  controller.abort(new Error('never mind'));
  await t.throwsAsync(run('sh', ['-c', 'sleep 1000'], { env: tag.env, signal: controller.signal }), {
    message: 'never mind',
  });
  assertNoSurvivors(t, tag);
});

test('onSpawn gets the leader and the group, and run(command, options) works without args', async (t) => {
  const tag = tagFor(t);
  let seen: { pid: number | undefined; members: number[] } | undefined;
  const result = await run('sleep', ['1000'], {
    env: tag.env,
    stdio: 'ignore',
    mechanism: 'pgroup',
    timeout: 300,
    onSpawn: (child, group) => {
      void group.members().then((members) => (seen = { pid: child.pid, members }));
    },
  });
  t.truthy(seen);
  t.is(seen!.pid, result.pid);
  t.true(seen!.members.includes(result.pid!));
  const plain = await run('true', { env: tag.env, stdio: 'ignore', mechanism: 'pgroup' });
  t.is(plain.exitCode, 0);
  assertNoSurvivors(t, tag);
});
