/**
 * The one poll loop and the waits built on it, on the virtual clock: the
 * freeze report, run()'s leftovers: 'wait', the survivor grace. Bounds are
 * virtual time, so these verdicts never depend on the machine's speed.
 */
import test from 'ava';
import { poll } from '../../src/driver/poll.js';
import { FREEZE_TIMEOUT_MS, setFrozen } from '../../src/mechanisms/cgroup/freeze.js';
import { realCgroupFs, type CgroupFs } from '../../src/mechanisms/cgroup/cgroup-fs.js';
import { waitUntilEmpty } from '../../src/run/settle-leftovers.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

test('poll: asks at once, then backs off by doubling up to the ceiling, never past the deadline', async (t) => {
  const clock = new VirtualClock();
  let asked = 0;
  const answer = await poll(async () => (++asked === 8 ? 'done' : undefined), { clock, deadline: 1000, ceilingMs: 10 });
  t.is(answer, 'done');
  t.deepEqual(clock.sleeps, [1, 2, 4, 8, 10, 10, 10]);

  const late = new VirtualClock();
  t.is(await poll(async () => undefined, { clock: late, deadline: 25, ceilingMs: 10 }), undefined);
  t.is(late.now(), 25, 'the last sleep ends at the deadline');
  t.deepEqual(late.sleeps, [1, 2, 4, 8, 10]);
});

test('poll: a notification cuts a sleep short', async (t) => {
  const clock = new VirtualClock();
  let ready = false;
  let wake = () => {};
  clock.at(3, () => {
    ready = true;
    wake();
  });
  const answer = await poll(async () => (ready ? clock.now() : undefined), {
    clock,
    deadline: Number.POSITIVE_INFINITY,
    ceilingMs: 1000,
    firstMs: 1000,
    subscribe: (w) => {
      wake = w;
      return () => (wake = () => {});
    },
  });
  t.is(answer, 3, 'seen when it happened, not at the end of the 1000 ms sleep');
});

/** cgroup.freeze that is written but whose state the kernel never reports. */
function neverFrozen(): CgroupFs {
  return { ...realCgroupFs, writeFile: async () => {}, readFile: async () => 'populated 1\nfrozen 0\n' };
}

test('a freeze never reported is ESIGNAL_FAILED after FREEZE_TIMEOUT_MS of the clock, not of the machine', async (t) => {
  const clock = new VirtualClock();
  const error = await t.throwsAsync(setFrozen(neverFrozen(), '/nonexistent/corral-test', true, clock));
  t.is((error as { code?: string }).code, 'ESIGNAL_FAILED');
  t.is(clock.now(), FREEZE_TIMEOUT_MS);
});

test('a failing cgroup.freeze write is ESIGNAL_FAILED with its errno', async (t) => {
  const fs: CgroupFs = {
    ...realCgroupFs,
    writeFile: async () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })),
  };
  const error = await t.throwsAsync(setFrozen(fs, '/nonexistent/corral-test', false, new VirtualClock()));
  t.like(error, { code: 'ESIGNAL_FAILED', errnoCode: 'EACCES' });
});

test("leftovers: 'wait' sees the drain once it happens, and a stop request ends the wait", async (t) => {
  const clock = new VirtualClock();
  let members = [7, 8];
  clock.at(500, () => (members = []));
  t.is(await waitUntilEmpty({ members: async () => members }, new Promise(() => {}), clock), undefined);
  t.true(clock.now() >= 500 && clock.now() <= 600, `seen within one poll ceiling: ${clock.now()}`);

  const stopClock = new VirtualClock();
  let stop!: (reason: 'timeout') => void;
  const requested = new Promise<'timeout'>((resolve) => (stop = resolve));
  stopClock.at(250, () => stop('timeout'));
  t.is(await waitUntilEmpty({ members: async () => [7] }, requested, stopClock), 'timeout');
  t.is(stopClock.now(), 250, 'at once, not at the next poll');
});
