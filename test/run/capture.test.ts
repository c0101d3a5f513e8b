/**
 * run({ capture }): stdout and stderr read into the result, bounded by
 * maxBuffer. The tree's pipes end only when the whole tree is gone, so a
 * daemon that writes after its leader exited is captured too (and run()
 * does not hang on its pipe once it is stopped); a kept tree is not waited
 * for. Past maxBuffer the head is kept, the rest counted and dropped, and a
 * character cut in two is dropped whole.
 */
import test from 'ava';
import { CorralError } from '../../src/errors.js';
import { run } from '../../src/run/run.js';
import { assertNoSurvivors, findTagged, tagFor } from '../helpers/tagged-processes.js';
import { waitForSleeper } from './daemon-leader.js';
import { cleanUpKept } from './group-dirs.js';

/** A leader that starts a double-forked daemon which says so on stdout before it sleeps; the leader exits once it has. */
const DAEMON_SAYS_HELLO = `(sh -c 'echo daemon up; exec sleep 1000' &)
echo leader out; echo leader err >&2
read _ready_line
exit 0`;

for (const mechanism of ['cgroup', 'pgroup'] as const) {
  test(`${mechanism}: captures stdout and stderr of the whole tree, and the daemon's output too`, async (t) => {
    const tag = tagFor(t);
    const result = await run('sh', ['-c', DAEMON_SAYS_HELLO], {
      env: tag.env,
      mechanism,
      capture: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      // The leader exits once the daemon has written its line and runs: then "leftovers" is certain.
      onSpawn: (child) => void waitForSleeper(tag.tag).finally(() => child.stdin!.end()),
    });
    t.is(result.exitCode, 0);
    t.is(result.stderr, 'leader err\n');
    t.true((result.stdout as string).includes('leader out\n'));
    t.true((result.stdout as string).includes('daemon up\n'), 'what the leftover wrote is captured');
    t.deepEqual(result.outputBytes, { stdout: 'leader out\ndaemon up\n'.length, stderr: 'leader err\n'.length });
    t.false(result.outputTruncated);
    t.true(
      result.leftoverProcesses.some((p) => p.command === 'sleep 1000'),
      'the leftover is named',
    );
    assertNoSurvivors(t, tag);
  });
}

test('past maxBuffer the head is kept, the rest counted; a cut character is dropped; Buffers on request', async (t) => {
  const tag = tagFor(t);
  const big = await run('sh', ['-c', 'yes | head -c 200000; printf "a\\303\\251" >&2'], {
    env: tag.env,
    capture: true,
    maxBuffer: 2,
    mechanism: 'pgroup',
  });
  t.is(big.exitCode, 0);
  t.is(big.stdout, 'y\n');
  t.is(big.stderr, 'a', 'the é cut after its first byte is dropped, not replaced');
  t.deepEqual(big.outputBytes, { stdout: 200000, stderr: 3 });
  t.true(big.outputTruncated);

  const raw = await run('sh', ['-c', 'printf "a\\303\\251"'], {
    env: tag.env,
    capture: true,
    encoding: 'buffer',
    maxBuffer: Infinity,
    mechanism: 'pgroup',
  });
  t.true(Buffer.isBuffer(raw.stdout));
  t.deepEqual([...raw.stdout!], [0x61, 0xc3, 0xa9]);
  t.false(raw.outputTruncated);

  const plain = await run('true', [], { env: tag.env, stdio: 'ignore', mechanism: 'pgroup' });
  t.is(plain.stdout, undefined, 'no capture, no output fields');
  t.is(plain.outputBytes, undefined);
  assertNoSurvivors(t, tag);
});

test(`leftovers 'keep': run() settles without waiting for the kept daemon's pipe`, async (t) => {
  const tag = tagFor(t);
  t.teardown(() => cleanUpKept(tag.tag));
  const result = await run('sh', ['-c', DAEMON_SAYS_HELLO], {
    env: tag.env,
    capture: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    leftovers: 'keep',
    onSpawn: (child) => void waitForSleeper(tag.tag).finally(() => child.stdin!.end()),
  });
  t.is(result.exitCode, 0);
  t.true((result.stdout as string).includes('daemon up\n'));
  t.true(findTagged(tag.tag).length >= 1, 'the daemon still runs');
  await cleanUpKept(tag.tag);
  assertNoSurvivors(t, tag);
});

test('capture options are checked before anything starts', async (t) => {
  const cases: Array<Record<string, unknown>> = [
    { capture: 'yes' },
    { capture: true, maxBuffer: -1 },
    { capture: true, maxBuffer: 1.5 },
    { capture: true, maxBuffer: '1M' },
    { capture: true, encoding: 'latin1' },
    { maxBuffer: 10 },
    { encoding: 'buffer' },
    { capture: true, stdio: 'inherit' },
    { capture: true, stdio: ['ignore', 'pipe', 'inherit'] },
  ];
  for (const options of cases) {
    const error = await t.throwsAsync(
      run('true', [], options as never),
      { instanceOf: CorralError },
      JSON.stringify(options),
    );
    t.is((error as CorralError).code, 'EINVALID_OPTION', JSON.stringify(options));
  }
});

test('a command that cannot start rejects with ENOENT even with capture', async (t) => {
  const error = await t.throwsAsync(run('/nonexistent/corral-capture', [], { capture: true, mechanism: 'pgroup' }));
  t.is((error as NodeJS.ErrnoException).code, 'ENOENT');
});
