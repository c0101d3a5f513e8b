/**
 * The census's pace, on the runtime's injected clock: a round starts the
 * interval after the last one ended, or nine times as long as that round
 * took, whichever is longer; the last group to leave cancels the pending
 * round. Hermetic: the test moves time itself, and a round "takes" time by
 * moving it.
 */
import test from 'ava';
import {
  CENSUS_INTERVAL_MS,
  CENSUS_PAUSE_PER_ROUND,
  censusPause,
  type JoinedGroup,
} from '../../src/mechanisms/pgroup/fallback-runtime.js';
import { hermetic } from '../helpers/hermetic.js';
import { FakeHost, fakeRuntime } from './fake-host.js';
import { ManualClock } from './manual-clock.js';

hermetic();

function censusOn() {
  const clock = new ManualClock();
  return { clock, runtime: fakeRuntime(new FakeHost(), clock) };
}

const group = (census: () => void): JoinedGroup => ({ census, claims: () => false });

test('a quick round keeps the interval; a slow one is followed by nine times its length, so the census takes at most a tenth of the time', async (t) => {
  const { clock, runtime } = censusOn();
  let roundMs = 5;
  let rounds = 0;
  runtime.join(
    group(() => {
      rounds += 1;
      clock.time += roundMs;
    }),
  );
  t.deepEqual(clock.sleeps, [CENSUS_INTERVAL_MS], 'the first round is an interval away');
  await clock.fireNext();
  t.is(clock.sleeps.at(-1), CENSUS_INTERVAL_MS, 'a 5 ms round: the next is still an interval later');

  roundMs = 400;
  await clock.fireNext();
  t.is(clock.sleeps.at(-1), CENSUS_PAUSE_PER_ROUND * 400, 'a 400 ms round: the next waits 3.6 s');
  const busyFrom = clock.time;
  for (let i = 0; i < 5; i++) await clock.fireNext();
  const elapsed = clock.time - busyFrom;
  t.true(
    (5 * roundMs) / elapsed <= 1 / (1 + CENSUS_PAUSE_PER_ROUND) + 1e-9,
    `5 rounds of ${roundMs} ms in ${elapsed} ms`,
  );

  roundMs = 1;
  await clock.fireNext();
  t.is(clock.sleeps.at(-1), CENSUS_INTERVAL_MS, 'back to the interval once rounds are quick again');
  t.is(rounds, 8);
});

test('every joined group walks in one round; the last leave cancels the pending round, and a new join starts anew', async (t) => {
  const { clock, runtime } = censusOn();
  const ran: string[] = [];
  const a = group(() => ran.push('a'));
  const b = group(() => ran.push('b'));
  runtime.join(a);
  runtime.join(b);
  t.is(clock.pending.length, 1, 'one timer for both');
  await clock.fireNext();
  t.deepEqual(ran, ['a', 'b']);

  runtime.leave(a);
  await clock.fireNext();
  t.deepEqual(ran, ['a', 'b', 'b'], 'a group that left never walks again');

  runtime.leave(b);
  t.is(clock.pending.length, 0, 'nobody left: no round pending');
  runtime.join(group(() => ran.push('c')));
  t.is(clock.pending.length, 1);
  t.is(clock.pending[0]!.due - clock.time, CENSUS_INTERVAL_MS);
  await clock.fireNext();
  t.deepEqual(ran, ['a', 'b', 'b', 'c']);
});

test('a group may leave, and another join, during the round: one timer afterwards, and the joiner walks next time', async (t) => {
  const { clock, runtime } = censusOn();
  const ran: string[] = [];
  const once: JoinedGroup = group(() => {
    ran.push('once');
    runtime.leave(once);
    runtime.join(group(() => ran.push('joined')));
  });
  runtime.join(once);
  await clock.fireNext();
  t.deepEqual(ran, ['once']);
  t.is(clock.pending.length, 1, 'the joiner did not start a second timer');
  await clock.fireNext();
  t.deepEqual(ran, ['once', 'joined']);
});

test('the pause: never below the interval, nine times a slow round', (t) => {
  t.is(censusPause(0), CENSUS_INTERVAL_MS);
  t.is(censusPause(100), CENSUS_INTERVAL_MS);
  t.is(censusPause(1000), 9000);
  t.is(censusPause(10, 50), 90);
});
