/**
 * The census's pace, on a scripted timer: a round starts the interval after
 * the last one ended, or nine times as long as that round took, whichever
 * is longer; the last group to leave cancels the pending round. Hermetic:
 * the test moves time itself, and a round "takes" time by moving it.
 */
import test from 'ava';
import {
  Census,
  CENSUS_INTERVAL_MS,
  CENSUS_PAUSE_PER_ROUND,
  censusPause,
  type CensusTimer,
} from '../../src/mechanisms/pgroup/census.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

/** A timer the test drives: pending rounds are listed with their due times, and fire only on `advanceTo`. */
class ScriptedTimer implements CensusTimer {
  time = 0;
  pending: { due: number; fire: () => void }[] = [];
  /** Every pause the census asked for, in order. */
  readonly pauses: number[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, fire: () => void): () => void {
    this.pauses.push(ms);
    const entry = { due: this.time + ms, fire };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((other) => other !== entry);
    };
  }

  /** Fire the one pending round: time jumps to its due time. */
  fireNext(): void {
    if (this.pending.length !== 1) throw new Error(`expected one pending round, found ${this.pending.length}`);
    const [next] = this.pending;
    this.pending = [];
    this.time = next!.due;
    next!.fire();
  }
}

test('a quick round keeps the interval; a slow one is followed by nine times its length, so the census takes at most a tenth of the time', (t) => {
  const timer = new ScriptedTimer();
  const census = new Census(timer);
  let roundMs = 5;
  let rounds = 0;
  census.join(() => {
    rounds += 1;
    timer.time += roundMs;
  });
  t.deepEqual(timer.pauses, [CENSUS_INTERVAL_MS], 'the first round is an interval away');
  timer.fireNext();
  t.is(timer.pauses.at(-1), CENSUS_INTERVAL_MS, 'a 5 ms round: the next is still an interval later');

  roundMs = 400;
  timer.fireNext();
  t.is(timer.pauses.at(-1), CENSUS_PAUSE_PER_ROUND * 400, 'a 400 ms round: the next waits 3.6 s');
  const busyFrom = timer.time;
  for (let i = 0; i < 5; i++) timer.fireNext();
  const elapsed = timer.time - busyFrom;
  t.true(
    (5 * roundMs) / elapsed <= 1 / (1 + CENSUS_PAUSE_PER_ROUND) + 1e-9,
    `5 rounds of ${roundMs} ms in ${elapsed} ms`,
  );

  roundMs = 1;
  timer.fireNext();
  t.is(timer.pauses.at(-1), CENSUS_INTERVAL_MS, 'back to the interval once rounds are quick again');
  t.is(rounds, 8);
});

test('every joined round runs in one round; the last leave cancels the pending round, and a new join starts anew', (t) => {
  const timer = new ScriptedTimer();
  const census = new Census(timer);
  const ran: string[] = [];
  const leaveA = census.join(() => ran.push('a'));
  const leaveB = census.join(() => ran.push('b'));
  t.is(timer.pending.length, 1, 'one timer for both');
  timer.fireNext();
  t.deepEqual(ran, ['a', 'b']);

  leaveA();
  timer.fireNext();
  t.deepEqual(ran, ['a', 'b', 'b'], 'a left round never runs again');

  leaveB();
  t.is(timer.pending.length, 0, 'nobody left: no round pending');
  census.join(() => ran.push('c'));
  t.is(timer.pending.length, 1);
  t.is(timer.pending[0]!.due - timer.time, CENSUS_INTERVAL_MS);
  timer.fireNext();
  t.deepEqual(ran, ['a', 'b', 'b', 'c']);
});

test('a round may leave, and another group join, during the round: one timer afterwards, and the joiner runs next time', (t) => {
  const timer = new ScriptedTimer();
  const census = new Census(timer);
  const ran: string[] = [];
  let leaveSelf: () => void = () => {};
  leaveSelf = census.join(() => {
    ran.push('once');
    leaveSelf();
    census.join(() => ran.push('joined'));
  });
  timer.fireNext();
  t.deepEqual(ran, ['once']);
  t.is(timer.pending.length, 1, 'the joiner did not start a second timer');
  timer.fireNext();
  t.deepEqual(ran, ['once', 'joined']);
});

test('a round that throws still leaves the census running for the others', (t) => {
  const timer = new ScriptedTimer();
  const census = new Census(timer);
  let calls = 0;
  census.join(() => {
    calls += 1;
    if (calls === 1) throw new Error('boom');
  });
  t.throws(() => timer.fireNext(), { message: 'boom' });
  t.is(timer.pending.length, 1, 'the next round is scheduled all the same');
  timer.fireNext();
  t.is(calls, 2);
});

test('the pause: never below the interval, nine times a slow round', (t) => {
  t.is(censusPause(0), CENSUS_INTERVAL_MS);
  t.is(censusPause(100), CENSUS_INTERVAL_MS);
  t.is(censusPause(1000), 9000);
  t.is(censusPause(10, 50), 90);
});
