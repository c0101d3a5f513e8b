/**
 * The idle watch on the virtual clock: silent for the timeout → idle, with
 * how long; output resets the clock; disposed → never idle.
 */
import test from 'ava';
import { PassThrough } from 'node:stream';
import { IdleWatch } from '../../src/run/idle-watch.js';
import { hermetic } from '../helpers/hermetic.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

hermetic();

function watch(clock: VirtualClock, idleMs: number, streams: PassThrough[]): Promise<{ at: number; silentMs: number }> {
  return new Promise(
    (resolve) => new IdleWatch(clock, idleMs, streams, (silentMs) => resolve({ at: clock.now(), silentMs })),
  );
}

test('a silent tree is idle exactly at the timeout', async (t) => {
  const clock = new VirtualClock();
  t.deepEqual(await watch(clock, 1000, [new PassThrough()]), { at: 1000, silentMs: 1000 });
});

test('output on either stream resets the clock: idle only a full timeout after the last chunk', async (t) => {
  const clock = new VirtualClock();
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  // Every 250 ms for 2 s, alternating streams; then silence.
  for (let at = 250; at <= 2000; at += 250) clock.at(at, () => (at % 500 === 0 ? stdout : stderr).write('tick\n'));
  t.deepEqual(await watch(clock, 1000, [stdout, stderr]), { at: 3000, silentMs: 1000 });
});

test('disposed: never idle, and it stops listening', async (t) => {
  const clock = new VirtualClock();
  const stdout = new PassThrough();
  let idle = false;
  const watcher = new IdleWatch(clock, 1000, [stdout], () => (idle = true));
  clock.at(500, () => watcher.dispose());
  let passed = false;
  clock.at(5000, () => (passed = true));
  await new Promise<void>((resolve) => clock.at(6000, resolve));
  t.true(passed);
  t.false(idle);
  t.is(stdout.listenerCount('data'), 0);
});
