import test from 'ava';
import { systemClock } from '../../src/driver/clock.js';
import { StandDownLatch } from '../../src/driver/latch.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

test('the system clock clamps a huge sleep instead of letting Node overflow it to 1 ms', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  const started = performance.now();
  const sleep = systemClock.sleep(1e12);
  const early = await Promise.race([
    sleep.promise.then(() => 'fired'),
    new Promise((r) => setTimeout(r, 50, 'pending')),
  ]);
  sleep.cancel();
  await sleep.promise;
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarning);
  t.is(early, 'pending', 'an overflowed timer would have fired after 1 ms');
  t.deepEqual(
    warnings.map((w) => w.name),
    [],
  );
  t.true(performance.now() - started < 10_000);
});

test('cancel() resolves a sleep at once', async (t) => {
  const sleep = systemClock.sleep(60_000);
  sleep.cancel();
  await sleep.promise;
  t.pass();
});

test('the latch: generation, stand-down and re-arm', (t) => {
  const latch = new StandDownLatch();
  t.is(latch.generation, 0);
  t.false(latch.skipDropKill);
  const generation = latch.generation;
  t.true(latch.requestStandDown(generation));
  t.true(latch.skipDropKill);
  latch.noteSpawn();
  t.false(latch.skipDropKill, 'a spawn re-arms the kill');
  t.false(latch.requestStandDown(generation), 'a stale generation cannot latch');
  t.false(latch.skipDropKill);
  t.true(latch.requestStandDown(latch.generation));
});
