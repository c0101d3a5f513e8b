// The escalate-or-stand-down driver, hermetically: a scripted fake target on
// a virtual clock. No process is started and no real time passes.
import test from 'ava';
import { shutdownTree } from '../../src/driver/graceful.js';
import { StandDownLatch } from '../../src/driver/latch.js';
import { CorralError } from '../../src/errors.js';
import type { ShutdownPlan } from '../../src/options/group-options.js';
import { FakeTarget, type FakeScript } from '../helpers/fake-target.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

const plan = (overrides: Partial<ShutdownPlan> = {}): ShutdownPlan => ({
  phases: [{ signal: 'SIGTERM', timeout: 2000 }],
  escalate: true,
  killTimeout: 5000,
  ...overrides,
});

function setup(script: FakeScript = {}) {
  const clock = new VirtualClock();
  const target = new FakeTarget(clock, script);
  const latch = new StandDownLatch();
  return { clock, target, latch, run: (p: ShutdownPlan = plan()) => shutdownTree(target, p, { clock, latch }) };
}

test('an already drained tree is reported before any signal is sent', async (t) => {
  const { target, run } = setup({ members: [] });
  const report = await run();
  t.deepEqual(target.log, []);
  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  t.is(report.membersBefore, 0);
  t.is(report.elapsedMs, 0);
  t.deepEqual(report.phases, []);
});

test('the graceful signal is followed by SIGCONT, so a stopped member can act on it', async (t) => {
  const { target, run } = setup({ exitsOn: { SIGTERM: 10 } });
  await run();
  t.deepEqual(target.log.slice(0, 2), ['0 signal SIGTERM', '0 signal SIGCONT']);
});

test('a tree that drains mid-wait is seen promptly and not escalated', async (t) => {
  const { target, run } = setup({ exitsOn: { SIGTERM: 100 } });
  const report = await run();
  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  t.false(report.stoodDown);
  t.is(report.membersBefore, 3);
  t.is(report.membersAfter, 0);
  t.false(target.log.some((line) => line.endsWith('hardKill')));
  // Polled (no events): the drain at 100 ms is seen by the next poll, at most one ceiling (50 ms) later.
  t.true(report.elapsedMs >= 100 && report.elapsedMs <= 150, `elapsed ${report.elapsedMs}`);
  t.is(report.phases.length, 1);
  t.true(report.phases[0]!.drained);
  t.is(report.phases[0]!.signalled, 3);
});

test('polling starts near 1 ms and backs off, so an instant exit is seen at once', async (t) => {
  const { clock, run } = setup({ exitsOn: { SIGTERM: 1 } });
  const report = await run();
  t.is(report.elapsedMs, 1);
  t.is(clock.sleeps[0], 1);
});

test('the backoff doubles up to its ceiling and never sleeps past the deadline', async (t) => {
  const { clock, run } = setup({ exitsOn: {} });
  await run(plan({ phases: [{ signal: 'SIGTERM', timeout: 300 }] }));
  const waits = clock.sleeps;
  t.deepEqual(waits.slice(0, 7), [1, 2, 4, 8, 16, 32, 50]);
  t.true(waits.every((ms) => ms <= 50));
});

test('with change events the drain is seen when the event fires, not at the next poll', async (t) => {
  // Poll ticks fall at 1, 3, 7, 15, 31, 63... ms; the event at 37 ms must wake the driver at 37.
  const { run } = setup({ exitsOn: { SIGTERM: 37 }, events: true });
  const report = await run();
  t.is(report.elapsedMs, 37);
  t.true(report.drainedWithinGrace);
});

test('deadline passed with escalate: survivors are hard-killed at the deadline', async (t) => {
  const { target, run } = setup({});
  const report = await run(plan({ phases: [{ signal: 'SIGTERM', timeout: 2000 }] }));
  t.true(report.escalated);
  t.false(report.drainedWithinGrace);
  t.false(report.phases[0]!.drained);
  t.is(report.membersAfter, 0);
  t.true(target.log.includes('2000 hardKill'), target.log.join('\n'));
  t.is(report.elapsedMs, 2000);
});

test('deadline passed without escalate: stand down, survivors reported, latch set', async (t) => {
  const { target, latch, run } = setup({});
  const report = await run(plan({ escalate: false }));
  t.true(report.stoodDown);
  t.false(report.escalated);
  t.true(latch.skipDropKill);
  t.deepEqual(report.survivors, [101, 102, 103]);
  t.is(report.membersAfter, 3);
  t.false(target.log.some((line) => line.endsWith('hardKill')));
});

test('a failed hard kill with members left rejects with EKILL_FAILED listing them', async (t) => {
  const { run } = setup({ hardKill: 'fails' });
  const error = await t.throwsAsync(run(plan({ killTimeout: 100 })), { instanceOf: CorralError });
  t.is(error?.code, 'EKILL_FAILED');
  t.deepEqual(error?.pids, [101, 102, 103]);
  t.regex(error?.message ?? '', /EACCES/);
  t.is(error?.errors?.length, 1);
});

test('a failed hard kill that the drain makes moot is still recorded in the report', async (t) => {
  const { run } = setup({ hardKill: 'fails-but-drains' });
  const report = await run();
  t.true(report.escalated);
  t.is(report.membersAfter, 0);
  t.is(report.errors.length, 1);
  t.is(report.errors[0]!.code, 'EKILL_FAILED');
});

test('members outliving SIGKILL beyond killTimeout reject with EKILL_TIMEOUT, never hang', async (t) => {
  const { clock, run } = setup({ hardKill: 'survives' });
  const error = await t.throwsAsync(run(plan({ killTimeout: 3000 })), { instanceOf: CorralError });
  t.is(error?.code, 'EKILL_TIMEOUT');
  t.deepEqual(error?.pids, [101, 102, 103]);
  t.is(clock.now(), 2000 + 3000);
});

test('a drain check that lags behind is not the last word: at the deadline a direct look at the members decides', async (t) => {
  const { clock, run } = setup({ hardKill: 'works', isDrainedLags: true });
  const report = await run(plan({ killTimeout: 3000 }));
  t.true(report.escalated, 'the grace looked unfinished: escalated');
  t.is(report.membersAfter, 0);
  t.deepEqual(report.errors, [], 'no EKILL_TIMEOUT for a tree that is gone');
  t.is(clock.now(), 2000 + 3000, 'decided at the kill deadline, not before');
});

test('a failed delivery is recorded in its phase and the driver still escalates', async (t) => {
  const failure = new CorralError('ESIGNAL_FAILED', 'kill: EPERM (scripted)');
  const { target, run } = setup({ signalFails: { SIGTERM: failure } });
  const report = await run(plan({ phases: [{ signal: 'SIGTERM', timeout: 100 }] }));
  t.true(report.phases[0]!.deliveryFailed);
  t.is(report.phases[0]!.error, failure);
  t.deepEqual(report.errors, [failure]);
  t.true(report.escalated);
  t.true(target.log.includes('100 hardKill'));
});

test('a non-CorralError delivery failure is wrapped as ESIGNAL_FAILED', async (t) => {
  const { run } = setup({ signalFails: { SIGTERM: new Error('boom') }, exitsOn: {} });
  const report = await run(plan({ phases: [{ signal: 'SIGTERM', timeout: 10 }] }));
  t.is(report.phases[0]!.error?.code, 'ESIGNAL_FAILED');
  t.regex(report.phases[0]!.error?.message ?? '', /SIGTERM.*boom/);
});

test('phases: each signal gets its own wait; the tree drains in the second', async (t) => {
  const { target, run } = setup({ exitsOn: { SIGTERM: 30 } });
  const report = await run(
    plan({
      phases: [
        { signal: 'SIGINT', timeout: 500 },
        { signal: 'SIGTERM', timeout: 2000 },
      ],
    }),
  );
  t.is(report.signal, 'SIGINT');
  t.is(report.phases.length, 2);
  t.false(report.phases[0]!.drained);
  t.is(report.phases[0]!.elapsedMs, 500);
  t.true(report.phases[1]!.drained);
  t.true(report.drainedWithinGrace);
  t.false(report.escalated);
  t.deepEqual(
    target.log.filter((l) => !l.endsWith('SIGCONT')),
    ['0 signal SIGINT', '500 signal SIGTERM'],
  );
});

test('phases: escalation follows the last phase', async (t) => {
  const { target, run } = setup({});
  const report = await run(
    plan({
      phases: [
        { signal: 'SIGINT', timeout: 100 },
        { signal: 'SIGTERM', timeout: 200 },
      ],
    }),
  );
  t.true(report.escalated);
  t.true(target.log.includes('300 hardKill'));
});

test('a clamped huge timeout waits as long as needed without overflowing', async (t) => {
  const { clock, run } = setup({ exitsOn: { SIGTERM: 10 * 60 * 1000 } });
  const report = await run(plan({ phases: [{ signal: 'SIGTERM', timeout: 2 ** 31 - 1 }] }));
  t.true(report.drainedWithinGrace);
  t.true(clock.sleeps.every((ms) => ms <= 2 ** 31 - 1));
});

test('a stale stand-down loses to a spawn made during the wait: the kill stays armed', async (t) => {
  const { clock, latch, run } = setup({});
  clock.at(700, () => latch.noteSpawn());
  const report = await run(plan({ escalate: false }));
  t.false(report.stoodDown);
  t.false(latch.skipDropKill);
  t.is(report.membersAfter, 3);
});

test('a spawn before the shutdown began does not block its stand-down', async (t) => {
  const { latch, run } = setup({});
  latch.noteSpawn();
  const report = await run(plan({ escalate: false }));
  t.true(report.stoodDown);
  t.true(latch.skipDropKill);
});

test('a spawn after a stand-down re-arms the kill on disposal', async (t) => {
  const { latch, run } = setup({});
  await run(plan({ escalate: false }));
  t.true(latch.skipDropKill);
  latch.noteSpawn();
  t.false(latch.skipDropKill);
});

test('two overlapping stand-downs with a spawn between them: only the later one latches', async (t) => {
  const clock = new VirtualClock();
  const latch = new StandDownLatch();
  const first = new FakeTarget(clock, {});
  const second = new FakeTarget(clock, {});
  const firstRun = shutdownTree(first, plan({ escalate: false, phases: [{ signal: 'SIGTERM', timeout: 1000 }] }), {
    clock,
    latch,
  });
  clock.at(300, () => {
    latch.noteSpawn();
    void shutdownTree(second, plan({ escalate: false, phases: [{ signal: 'SIGTERM', timeout: 2000 }] }), {
      clock,
      latch,
    }).then((r) => t.true(r.stoodDown));
  });
  const firstReport = await firstRun;
  t.false(firstReport.stoodDown);
  t.false(latch.skipDropKill, 'the first (stale) shutdown must not latch');
  await new Promise<void>((resolve) => clock.at(2400, resolve));
  t.true(latch.skipDropKill, 'the second shutdown saw the newest spawn and may latch');
});
