/**
 * Errors and bad input under the process-group mechanism: Node's own spawn
 * errors, a closed group, rejected options, clamped timeouts. Nothing leaks.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { CorralError, ProcessGroup, type CorralErrorCode, type CreateOptions } from '../../src/index.js';
import { MAX_TIMER_MS } from '../../src/options/durations.js';
import { assertNoSurvivors, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { GUARD, openPgroup, spawnShell } from './open-pgroup.js';

const MISSING = 'corral-test-no-such-command';

function spawnError(child: ChildProcess): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve) => child.once('error', resolve));
}

test('ENOENT is exactly the error Node gives, and nothing is tracked', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  const options = { env: tag.env, stdio: 'ignore' as const };

  const ours = await spawnError(group.spawn(MISSING, ['--flag'], options));
  const nodes = await spawnError(spawn(MISSING, ['--flag'], options));

  t.true(ours instanceof Error);
  for (const key of ['code', 'errno', 'syscall', 'path', 'spawnargs', 'message'] as const) {
    t.deepEqual(ours[key as keyof typeof ours], nodes[key as keyof typeof nodes], key);
  }
  t.deepEqual(await group.members(), []);
  const report = await group.shutdown({ timeout: 300 });
  t.is(report.membersBefore, 0);
  t.deepEqual(report.phases, [], 'no group was tracked, so nothing was signalled');
  assertNoSurvivors(t, tag);
});

test('spawning into (or signalling) a closed group throws EGROUP_CLOSED', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  await group.close();

  const error = t.throws(() => spawnShell(group, tag, 'exec sleep 1000'), { instanceOf: CorralError });
  t.is(error?.code, 'EGROUP_CLOSED');
  await t.throwsAsync(group.signal('SIGTERM'), { instanceOf: CorralError, message: /closed/ });
  await t.throwsAsync(group.shutdown(), { instanceOf: CorralError });
  assertNoSurvivors(t, tag);
});

const badCreateOptions: Array<[string, unknown, CorralErrorCode]> = [
  ['negative shutdownTimeout', { shutdownTimeout: -1 }, 'EINVALID_OPTION'],
  ['NaN killTimeout', { killTimeout: Number.NaN }, 'EINVALID_OPTION'],
  ['non-numeric shutdownTimeout', { shutdownTimeout: '100' }, 'EINVALID_OPTION'],
  ['infinite limit', { limits: { pids: Number.POSITIVE_INFINITY } }, 'EINVALID_LIMIT'],
  ['unknown signal name', { killSignal: 'SIGNOPE' }, 'EINVALID_SIGNAL'],
  ['unknown mechanism', { mechanism: 'jail' }, 'EINVALID_MECHANISM'],
  ['unknown option key', { shutdownTimout: 100 }, 'EINVALID_OPTION'],
  ['non-boolean escalate', { escalate: 'no' }, 'EINVALID_OPTION'],
  ['limits under pgroup', { limits: { pids: 10 } }, 'ELIMIT_UNENFORCEABLE'],
];

for (const [what, options, code] of badCreateOptions) {
  test(`create() rejects ${what} with ${code}`, async (t) => {
    const error = await t.throwsAsync(
      ProcessGroup.create({ mechanism: 'pgroup', guard: GUARD, ...(options as CreateOptions) }),
      { instanceOf: CorralError },
    );
    t.is(error?.code, code);
  });
}

const badShutdownOptions: Array<[string, unknown, CorralErrorCode]> = [
  ['negative timeout', { timeout: -5 }, 'EINVALID_OPTION'],
  ['NaN phase timeout', { phases: [{ signal: 'SIGTERM', timeout: Number.NaN }] }, 'EINVALID_OPTION'],
  ['unknown phase signal', { phases: [{ signal: 'SIGWHATEVER', timeout: 10 }] }, 'EINVALID_SIGNAL'],
  ['empty phases', { phases: [] }, 'EINVALID_OPTION'],
  ['unknown key', { grace: 10 }, 'EINVALID_OPTION'],
];

for (const [what, options, code] of badShutdownOptions) {
  test(`shutdown() rejects ${what} with ${code} and leaves the tree untouched`, async (t) => {
    const tag = tagFor(t);
    const group = await openPgroup(t);
    spawnShell(group, tag, 'exec sleep 1000');
    const [pid] = await waitForTagged(tag.tag, 1);

    const error = await t.throwsAsync(group.shutdown(options as never), { instanceOf: CorralError });
    t.is(error?.code, code);
    t.deepEqual(await group.members(), [pid!], 'nothing was signalled');

    await group.close();
    assertNoSurvivors(t, tag);
  });
}

test('a huge timeout is clamped: no TimeoutOverflowWarning, the phase reports the clamp', async (t) => {
  const tag = tagFor(t);
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const group = await openPgroup(t, { shutdownTimeout: 1e15, killTimeout: Number.POSITIVE_INFINITY });
  spawnShell(group, tag, 'sleep 1000 & exec sleep 1000');
  await waitForTagged(tag.tag, 2);

  const report = await group.shutdown();
  await new Promise((resolve) => setImmediate(resolve));

  t.is(report.phases[0]?.timeout, MAX_TIMER_MS);
  t.true(report.drainedWithinGrace);
  t.deepEqual(
    warnings.filter((w) => w.name === 'TimeoutOverflowWarning'),
    [],
  );
  assertNoSurvivors(t, tag);
});

const badSpawnArguments: Array<[string, unknown[]]> = [
  ['an empty command', ['']],
  ['a command that is not a string', [42]],
  ['args that are not an array', ['sleep', 'not-an-array']],
  ['an argument that is not a string', ['sleep', [1000]]],
  ['options that are not an object', ['sleep', ['1000'], 'ignore']],
];

for (const [what, args] of badSpawnArguments) {
  test(`spawn() rejects ${what} with EINVALID_OPTION and starts nothing`, async (t) => {
    const tag = tagFor(t);
    const group = await openPgroup(t);

    const error = t.throws(() => (group.spawn as (...a: unknown[]) => unknown)(...args), { instanceOf: CorralError });
    t.is(error?.code, 'EINVALID_OPTION');
    t.deepEqual(await group.members(), []);
    t.false(group.closed);
    assertNoSurvivors(t, tag);
  });
}

test('spawn(command, options) without args starts the command in the group', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  const child = group.spawn('sleep', { env: tag.env, stdio: 'ignore' });
  t.is(typeof child.pid, 'number');
  const code = await new Promise((resolve) => child.once('exit', resolve));
  t.is(code, 1, 'sleep without an operand fails: it really ran without arguments');
  t.deepEqual(await group.members(), []);
  assertNoSurvivors(t, tag);
});
