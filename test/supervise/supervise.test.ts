/**
 * supervise() against real trees, both mechanisms: restarts never overlap an
 * earlier incarnation's daemonized helper, the budget and the policy are
 * kept, a cancel ends supervision with nothing left.
 */
import test from 'ava';
import { supervise } from '../../src/supervise/supervise.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { daemonizeThenExit, readRecord, recordDir } from './flapping-daemon.js';

type Mechanism = 'cgroup' | 'pgroup';
const MECHANISMS: Mechanism[] = ['cgroup', 'pgroup'];
const fast = { initialDelay: 0, maxDelay: 10, jitter: 0 };

for (const mechanism of MECHANISMS) {
  test(`${mechanism}: on-failure with maxRestarts 3 over a command that daemonizes and exits 5 runs 4 times, never overlapping`, async (t) => {
    const tag = tagFor(t);
    const dir = recordDir(t);
    const started: number[] = [];
    const outcome = await supervise('sh', ['-c', daemonizeThenExit(dir, 5, { setsid: mechanism === 'cgroup' })], {
      env: tag.env,
      stdio: 'ignore',
      mechanism,
      restart: 'on-failure',
      maxRestarts: 3,
      backoff: fast,
      onStart: ({ incarnation, group }) => {
        t.is(group.mechanism, mechanism);
        started.push(incarnation);
      },
    });
    t.is(outcome.reason, 'max-restarts');
    t.is(outcome.runs, 4);
    t.is(outcome.last.exitCode, 5);
    t.true(outcome.last.leftovers.length >= 1, 'each run left its helper, which run() stopped');
    t.deepEqual(started, [1, 2, 3, 4]);
    const record = readRecord(dir);
    t.is(record.runs, 4);
    t.is(record.overlaps, '', 'no run started while an earlier helper was alive');
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a command that succeeds under on-failure is not restarted`, async (t) => {
    const tag = tagFor(t);
    const dir = recordDir(t);
    const outcome = await supervise('sh', ['-c', daemonizeThenExit(dir, 0)], {
      env: tag.env,
      stdio: 'ignore',
      mechanism,
      backoff: fast,
    });
    t.like(outcome, { reason: 'policy', runs: 1 });
    t.is(readRecord(dir).runs, 1);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a cancel during an incarnation stops its tree and is not followed by a restart`, async (t) => {
    const tag = tagFor(t);
    const controller = new AbortController();
    const outcome = await supervise('sh', ['-c', '(sleep 1000 &); exec sleep 1000'], {
      env: tag.env,
      stdio: 'ignore',
      mechanism,
      restart: 'always',
      signal: controller.signal,
      onStart: () => controller.abort(),
    });
    t.like(outcome, { reason: 'cancelled', runs: 1 });
    t.true(outcome.last.cancelled);
    assertNoSurvivors(t, tag);
  });
}

test('a command that cannot start rejects, and is not restarted', async (t) => {
  const tag = tagFor(t);
  let starts = 0;
  await t.throwsAsync(
    supervise('/nonexistent/corral-test-command', [], { env: tag.env, restart: 'always', onStart: () => starts++ }),
    { code: 'ENOENT' },
  );
  t.is(starts, 0);
});
