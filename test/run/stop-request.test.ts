/**
 * StopRequest on the virtual clock: the timeout runs out at the clock's
 * time, not the machine's; the first of timeout and abort wins; once
 * disposed, nothing fires (a cancelled sleep resolves, and must not be
 * taken for a timeout).
 */
import test from 'ava';
import { StopRequest } from '../../src/run/stop-request.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

test('the timeout runs out after its milliseconds of the clock', async (t) => {
  const clock = new VirtualClock();
  const stop = new StopRequest(5000, undefined, clock);
  t.is(await stop.requested, 'timeout');
  t.is(clock.now(), 5000);
  t.is(stop.reason, 'timeout');
  stop.dispose();
});

test('an abort before the timeout wins, and the timeout cannot claim it afterwards', async (t) => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const stop = new StopRequest(5000, controller.signal, clock);
  clock.at(1000, () => controller.abort());
  t.is(await stop.requested, 'cancel');
  t.is(clock.now(), 1000);
  await clock.sleep(10_000).promise;
  t.is(stop.reason, 'cancel');
  stop.dispose();
});

test('disposed before it runs out: neither the cancelled sleep nor a later abort fires', async (t) => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const stop = new StopRequest(5000, controller.signal, clock);
  stop.dispose();
  controller.abort();
  await clock.sleep(10_000).promise;
  t.is(stop.reason, undefined);
  const fired = await Promise.race([stop.requested, Promise.resolve('nothing')]);
  t.is(fired, 'nothing');
});

test('an already-aborted signal is a cancel at once', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const stop = new StopRequest(5000, controller.signal, new VirtualClock());
  t.is(await stop.requested, 'cancel');
  stop.dispose();
});
