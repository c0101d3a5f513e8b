import test from 'ava';
import { CorralError } from '../../src/errors.js';
import { MAX_TIMER_MS, parseTimeout } from '../../src/options/durations.js';
import { resolveCreateOptions, resolveShutdownPlan } from '../../src/options/group-options.js';
import { parseLimits } from '../../src/options/limits.js';
import { parseSignal, signalName, signalNumber } from '../../src/options/signals.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CorralError) return error.code;
    throw error;
  }
  return 'no error';
};

test('defaults', (t) => {
  const o = resolveCreateOptions();
  t.like(o, {
    mechanism: 'auto',
    shutdownTimeout: 2000,
    escalate: true,
    killSignal: 'SIGTERM',
    killTimeout: 5000,
    guard: true,
  });
  t.is(o.limits, undefined);
});

test('signals: names, short names, lower case and numbers; unknown ones are EINVALID_SIGNAL', (t) => {
  t.is(parseSignal('SIGHUP'), 'SIGHUP');
  t.is(parseSignal('term'), 'SIGTERM');
  t.is(parseSignal(9), 'SIGKILL');
  t.is(parseSignal('2'), 'SIGINT');
  t.is(signalNumber('SIGTERM'), 15);
  t.is(signalName(15), 'SIGTERM');
  for (const bad of ['SIGNOPE', '', 0.5, 999, null, {}]) {
    t.is(
      codeOf(() => parseSignal(bad)),
      'EINVALID_SIGNAL',
      String(bad),
    );
  }
  const error = t.throws(() => resolveCreateOptions({ killSignal: 'SIGFOO' as NodeJS.Signals }), {
    instanceOf: CorralError,
  });
  t.regex(error!.message, /killSignal.*SIGFOO/);
});

test('timeouts: negative, NaN and non-numbers rejected; Infinity and huge values clamped', (t) => {
  for (const bad of [-1, Number.NaN, '100', -Infinity]) {
    t.is(
      codeOf(() => resolveCreateOptions({ shutdownTimeout: bad as number })),
      'EINVALID_OPTION',
      String(bad),
    );
  }
  t.is(resolveCreateOptions({ shutdownTimeout: Infinity }).shutdownTimeout, MAX_TIMER_MS);
  t.is(resolveCreateOptions({ shutdownTimeout: 1e15 }).shutdownTimeout, MAX_TIMER_MS);
  t.is(
    codeOf(() => parseTimeout(Infinity, 'x')),
    'EINVALID_OPTION',
  );
  t.is(parseTimeout(0, 'x'), 0);
});

test('mechanism and unknown keys', (t) => {
  t.is(
    codeOf(() => resolveCreateOptions({ mechanism: 'docker' as 'auto' })),
    'EINVALID_MECHANISM',
  );
  const error = t.throws(() => resolveCreateOptions({ shutdownTimout: 5 } as object), { instanceOf: CorralError });
  t.is(error!.code, 'EINVALID_OPTION');
  t.regex(error!.message, /shutdownTimout/);
  t.is(
    codeOf(() => resolveCreateOptions(null as unknown as object)),
    'EINVALID_OPTION',
  );
  t.is(
    codeOf(() => resolveCreateOptions({ escalate: 'yes' as unknown as boolean })),
    'EINVALID_OPTION',
  );
  t.is(
    codeOf(() => resolveCreateOptions({ cgroupParent: 'relative/path' })),
    'EINVALID_OPTION',
  );
});

test('limits: 0, negative, NaN, infinite and fractional counts are EINVALID_LIMIT', (t) => {
  t.deepEqual(parseLimits({ memoryBytes: 1 << 20, pids: 10, cpus: 0.5 }), {
    memoryBytes: 1 << 20,
    pids: 10,
    cpus: 0.5,
  });
  for (const bad of [
    { pids: 0 },
    { pids: -1 },
    { memoryBytes: Number.NaN },
    { cpus: Infinity },
    { pids: 1.5 },
    { cpus: '1' },
  ]) {
    t.is(
      codeOf(() => resolveCreateOptions({ limits: bad as object })),
      'EINVALID_LIMIT',
      JSON.stringify(bad),
    );
  }
  t.is(
    codeOf(() => parseLimits({ memory: 5 })),
    'EINVALID_OPTION',
  );
});

test('shutdown plan: defaults from the group, overrides, phases', (t) => {
  const defaults = resolveCreateOptions({ shutdownTimeout: 300, killSignal: 'SIGINT', escalate: false });
  t.deepEqual(resolveShutdownPlan({}, defaults), {
    phases: [{ signal: 'SIGINT', timeout: 300 }],
    escalate: false,
    killTimeout: 5000,
  });
  t.deepEqual(resolveShutdownPlan({ timeout: 10, signal: 'HUP', escalate: true }, defaults).phases, [
    { signal: 'SIGHUP', timeout: 10 },
  ]);
  t.deepEqual(
    resolveShutdownPlan(
      {
        phases: [
          { signal: 'SIGINT', timeout: 1 },
          { signal: 15, timeout: Infinity },
        ],
      },
      defaults,
    ).phases,
    [
      { signal: 'SIGINT', timeout: 1 },
      { signal: 'SIGTERM', timeout: MAX_TIMER_MS },
    ],
  );
  t.is(
    codeOf(() => resolveShutdownPlan({ phases: [] }, defaults)),
    'EINVALID_OPTION',
  );
  t.is(
    codeOf(() => resolveShutdownPlan({ phases: [{ signal: 'SIGINT', timeout: 1 }], timeout: 5 }, defaults)),
    'EINVALID_OPTION',
  );
  t.is(
    codeOf(() => resolveShutdownPlan({ phases: [null] }, defaults)),
    'EINVALID_OPTION',
  );
  t.is(
    codeOf(() => resolveShutdownPlan({ phases: [{ signal: 'SIGBAD', timeout: 1 }] }, defaults)),
    'EINVALID_SIGNAL',
  );
  t.is(
    codeOf(() => resolveShutdownPlan({ timeout: -5 }, defaults)),
    'EINVALID_OPTION',
  );
});
