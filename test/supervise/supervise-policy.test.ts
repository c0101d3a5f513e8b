// The supervision loop and its backoff, hermetically: scripted incarnations
// on a virtual clock. No process is started and no real time passes.
import test from 'ava';
import { CorralError } from '../../src/errors.js';
import type { RunResult } from '../../src/run/run.js';
import { Backoff } from '../../src/supervise/backoff.js';
import { superviseRuns, type RunIncarnation } from '../../src/supervise/supervise.js';
import { resolveSuperviseOptions, type SuperviseOptions } from '../../src/supervise/supervise-options.js';
import { hermetic } from '../helpers/hermetic.js';
import { fakeRunResult } from '../helpers/fake-run-result.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

hermetic();

interface Scripted {
  exitCode?: number | null;
  /** Virtual ms the incarnation stays up. */
  upMs?: number;
}

function result(overrides: Partial<RunResult>): RunResult {
  return fakeRunResult({ mechanism: 'pgroup', pid: 0, elapsedMs: 0, ...overrides });
}

/**
 * Incarnations played from a script (the last entry repeats), each up for
 * its upMs on the clock unless the AbortSignal ends it first (then it is
 * 'cancelled', as run() reports). The log says what happened when.
 */
function scripted(clock: VirtualClock, script: Scripted[], signal?: AbortSignal) {
  const log: string[] = [];
  let running = 0;
  let count = 0;
  const runIncarnation: RunIncarnation = async (onSpawn) => {
    const step = script[Math.min(count, script.length - 1)]!;
    count++;
    running++;
    if (running > 1) throw new Error('two incarnations overlap');
    log.push(`${clock.now()} run ${count}`);
    onSpawn({} as never, {} as never);
    const sleep = clock.sleep(step.upMs ?? 10);
    const onAbort = () => sleep.cancel();
    signal?.addEventListener('abort', onAbort);
    await sleep.promise;
    signal?.removeEventListener('abort', onAbort);
    running--;
    return result({
      exitCode: signal?.aborted ? null : (step.exitCode ?? 0),
      signal: signal?.aborted ? 'SIGTERM' : null,
      cancelled: signal?.aborted ?? false,
      pid: count,
    });
  };
  return { log, runIncarnation, runs: () => count };
}

const noJitter = { jitter: 0 };

function supervised(clock: VirtualClock, script: Scripted[], options: SuperviseOptions = {}) {
  const s = scripted(clock, script, options.signal);
  const resolved = resolveSuperviseOptions({ backoff: noJitter, ...options });
  return { ...s, outcome: superviseRuns(s.runIncarnation, resolved, clock) };
}

test('on-failure restarts a failing command until it succeeds, doubling the delay each time', async (t) => {
  const clock = new VirtualClock();
  const { log, outcome } = supervised(clock, [{ exitCode: 5 }, { exitCode: 5 }, { exitCode: 5 }, { exitCode: 0 }]);
  const end = await outcome;
  t.is(end.reason, 'policy');
  t.is(end.runs, 4);
  t.is(end.restarts, 3);
  t.is(end.last.exitCode, 0);
  // Up 10 ms each; delays 100, 200, 400.
  t.deepEqual(log, ['0 run 1', '110 run 2', '320 run 3', '730 run 4']);
});

test('on-failure does not restart a command that succeeds', async (t) => {
  const clock = new VirtualClock();
  const { log, outcome } = supervised(clock, [{ exitCode: 0 }], { restart: 'on-failure' });
  t.is((await outcome).reason, 'policy');
  t.deepEqual(log, ['0 run 1']);
});

test('maxRestarts bounds the runs: 3 restarts are 4 runs, and the last result is kept', async (t) => {
  const clock = new VirtualClock();
  const { outcome, runs } = supervised(clock, [{ exitCode: 5 }], { maxRestarts: 3 });
  const end = await outcome;
  t.is(end.reason, 'max-restarts');
  t.is(runs(), 4);
  t.is(end.last.exitCode, 5);
  t.is(end.last.pid, 4);
});

test('maxRestarts 0 runs once', async (t) => {
  const clock = new VirtualClock();
  const { outcome } = supervised(clock, [{ exitCode: 1 }], { maxRestarts: 0, restart: 'always' });
  t.like(await outcome, { reason: 'max-restarts', runs: 1, restarts: 0 });
});

test("'always' restarts after a success too; 'never' runs once even after a failure", async (t) => {
  const always = supervised(new VirtualClock(), [{ exitCode: 0 }], { restart: 'always', maxRestarts: 2 });
  t.like(await always.outcome, { reason: 'max-restarts', runs: 3 });
  const never = supervised(new VirtualClock(), [{ exitCode: 9 }], { restart: 'never' });
  t.like(await never.outcome, { reason: 'policy', runs: 1 });
});

test('the delay stops growing at maxDelay', async (t) => {
  const clock = new VirtualClock();
  const delays: number[] = [];
  const { outcome } = supervised(clock, [{ exitCode: 1 }], {
    maxRestarts: 6,
    backoff: { initialDelay: 100, factor: 3, maxDelay: 1000, jitter: 0 },
    onRestart: ({ delayMs }) => delays.push(delayMs),
  });
  await outcome;
  t.deepEqual(delays, [100, 300, 900, 1000, 1000, 1000]);
});

test('a run that stayed up for resetAfter starts the delays over', async (t) => {
  const clock = new VirtualClock();
  const delays: number[] = [];
  const script = [{ exitCode: 1 }, { exitCode: 1 }, { exitCode: 1, upMs: 5000 }, { exitCode: 1 }, { exitCode: 1 }];
  const { outcome } = supervised(clock, script, {
    maxRestarts: 4,
    backoff: { resetAfter: 5000, jitter: 0 },
    onRestart: ({ delayMs }) => delays.push(delayMs),
  });
  await outcome;
  t.deepEqual(delays, [100, 200, 100, 200]);
});

test('jitter scales each delay within ±jitter, never past the cap', (t) => {
  const plan = { initialDelay: 1000, factor: 2, maxDelay: 2500, jitter: 0.2, resetAfter: Infinity };
  const low = new Backoff(plan, () => 0);
  t.deepEqual([low.next(0), low.next(0), low.next(0)], [800, 1600, 2000]);
  const high = new Backoff(plan, () => 0.999999);
  t.deepEqual([high.next(0), high.next(0), high.next(0)], [1200, 2400, 2500]);
  const middle = new Backoff(plan, () => 0.5);
  t.deepEqual([middle.next(0), middle.next(0)], [1000, 2000]);
});

test('the default jitter draws from Math.random within ±10%', async (t) => {
  const clock = new VirtualClock();
  const delays: number[] = [];
  const s = scripted(clock, [{ exitCode: 1 }]);
  await superviseRuns(
    s.runIncarnation,
    resolveSuperviseOptions({ maxRestarts: 20, onRestart: ({ delayMs }) => delays.push(delayMs) }),
    clock,
  );
  t.true(
    delays.every(
      (delay, n) =>
        delay >= Math.min(30_000, 100 * 2 ** n) * 0.9 - 1 && delay <= Math.min(30_000, 100 * 2 ** n * 1.1) + 1,
    ),
    delays.join(' '),
  );
});

test('an abort during the delay ends supervision at once: no restart follows', async (t) => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  clock.at(50, () => controller.abort());
  const { log, outcome } = supervised(clock, [{ exitCode: 1 }], { restart: 'always', signal: controller.signal });
  const end = await outcome;
  t.is(end.reason, 'cancelled');
  t.is(end.last.exitCode, 1);
  t.deepEqual(log, ['0 run 1']);
  t.is(clock.now(), 50, 'the delay was cut short');
});

test('an abort during a run ends supervision with that run, even under always', async (t) => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  clock.at(500, () => controller.abort());
  const { log, outcome } = supervised(clock, [{ exitCode: 1, upMs: 10_000 }], {
    restart: 'always',
    signal: controller.signal,
  });
  const end = await outcome;
  t.like(end, { reason: 'cancelled', runs: 1 });
  t.true(end.last.cancelled);
  t.deepEqual(log, ['0 run 1']);
});

test('an abort that comes as the leader exits on its own still ends supervision', async (t) => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const s = scripted(clock, [{ exitCode: 1 }]);
  const outcome = superviseRuns(
    async (onSpawn) => {
      const ran = await s.runIncarnation(onSpawn);
      controller.abort();
      return ran;
    },
    resolveSuperviseOptions({ restart: 'always', signal: controller.signal }),
    clock,
  );
  t.like(await outcome, { reason: 'cancelled', runs: 1 });
});

test('an AbortSignal that already fired rejects before anything runs', async (t) => {
  const clock = new VirtualClock();
  const s = scripted(clock, [{}]);
  await t.throwsAsync(
    superviseRuns(s.runIncarnation, resolveSuperviseOptions({ signal: AbortSignal.abort(new Error('no')) }), clock),
    { message: 'no' },
  );
  t.is(s.runs(), 0);
});

test('stopWhen ends supervision with the run it was shown', async (t) => {
  const clock = new VirtualClock();
  const seen: number[] = [];
  const { outcome } = supervised(clock, [{ exitCode: 1 }, { exitCode: 2 }, { exitCode: 3 }], {
    restart: 'always',
    stopWhen: (ran, incarnation) => {
      seen.push(incarnation);
      return ran.exitCode === 2;
    },
  });
  const end = await outcome;
  t.like(end, { reason: 'stop-when', runs: 2 });
  t.is(end.last.exitCode, 2);
  t.deepEqual(seen, [1, 2]);
});

test('the hooks tell each incarnation: started, exited with its result, restarting after its delay', async (t) => {
  const clock = new VirtualClock();
  const events: string[] = [];
  const { outcome } = supervised(clock, [{ exitCode: 3 }], {
    maxRestarts: 1,
    onStart: ({ incarnation }) => events.push(`${clock.now()} started ${incarnation}`),
    onExit: ({ incarnation, result: ran }) => events.push(`${clock.now()} exited ${incarnation} code ${ran.exitCode}`),
    onRestart: ({ incarnation, delayMs, previous }) =>
      events.push(`${clock.now()} restarting ${incarnation} after ${delayMs} (was ${previous.exitCode})`),
  });
  await outcome;
  t.deepEqual(events, [
    '0 started 1',
    '10 exited 1 code 3',
    '10 restarting 2 after 100 (was 3)',
    '110 started 2',
    '120 exited 2 code 3',
  ]);
});

test('a run that timed out counts as a failure under on-failure', async (t) => {
  const clock = new VirtualClock();
  let n = 0;
  const outcome = superviseRuns(
    async () => result({ exitCode: n++ === 0 ? null : 0, signal: n === 1 ? 'SIGTERM' : null, timedOut: n === 1 }),
    resolveSuperviseOptions({ backoff: noJitter }),
    clock,
  );
  t.like(await outcome, { reason: 'policy', runs: 2 });
});

const bad: Array<[string, unknown, RegExp]> = [
  ['an unknown policy', { restart: 'sometimes' }, /restart must be/],
  ['a negative maxRestarts', { maxRestarts: -1 }, /maxRestarts must be/],
  ['a fractional maxRestarts', { maxRestarts: 1.5 }, /maxRestarts must be/],
  ["leftovers 'keep'", { leftovers: 'keep' }, /overlap/],
  ['escalate false', { escalate: false }, /overlap/],
  ['onSpawn', { onSpawn: () => undefined }, /use onStart/],
  ['capture', { capture: true }, /capture is not an option/],
  ['a hook that is no function', { onExit: 1 }, /onExit must be a function/],
  ['a factor below 1', { backoff: { factor: 0.5 } }, /factor/],
  ['a jitter above 1', { backoff: { jitter: 2 } }, /jitter/],
  ['an unknown backoff key', { backoff: { delay: 1 } }, /unknown option "delay"/],
  ['a backoff that is no object', { backoff: 5 }, /backoff must be an object/],
  ['an initial delay above the cap', { backoff: { initialDelay: 10, maxDelay: 5 } }, /exceeds/],
  ['a negative delay', { backoff: { initialDelay: -1 } }, /initialDelay/],
  ["run()'s own bad options", { leftovers: 'sometimes' }, /leftovers must be/],
  ['options that are no object', 'fast', /options must be an object/],
];
for (const [what, options, message] of bad) {
  test(`bad options are refused before anything runs: ${what}`, (t) => {
    const error = t.throws(() => resolveSuperviseOptions(options as SuperviseOptions), {
      instanceOf: CorralError,
      message,
    });
    t.is(error?.code, 'EINVALID_OPTION');
  });
}
