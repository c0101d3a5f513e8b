/**
 * The ready wait on the virtual clock: the probe's backoff, the deadline,
 * and the events (exit, a matching line, abort) that end it early. Also the
 * probe forms' parsing. No process, no socket: fake probe attempts.
 */
import test from 'ava';
import { parseReadyProbe, type ReadyProbe } from '../../src/run/servers/ready-probe.js';
import {
  readyOnClock,
  type ProbeAttempt,
  type ReadySource,
  type ServerExit,
} from '../../src/run/servers/wait-until-ready.js';
import type { LineListener } from '../../src/run/servers/output-lines.js';
import { CorralError } from '../../src/errors.js';
import { hermetic } from '../helpers/hermetic.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

hermetic();

/** A server that has not exited (unless told) and whose lines the test emits. */
function fakeSource(): ReadySource & { exit(e: ServerExit): void; emit(line: string): void } {
  let exit!: (e: ServerExit) => void;
  const exited = new Promise<ServerExit>((resolve) => (exit = resolve));
  const listeners = new Set<LineListener>();
  return {
    exited,
    exit,
    emit: (line) => {
      for (const l of listeners) l(line, 'stdout');
    },
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const tcp = parseReadyProbe('tcp:4000');

test('probe forms: URL, tcp with and without host, line; anything else is EINVALID_PROBE', (t) => {
  const http = parseReadyProbe('http://127.0.0.1:3000/health');
  t.is(http.kind, 'http');
  t.deepEqual(parseReadyProbe('tcp:4000'), { kind: 'tcp', host: '127.0.0.1', port: 4000 });
  t.deepEqual(parseReadyProbe('tcp:localhost:4000'), { kind: 'tcp', host: 'localhost', port: 4000 });
  t.deepEqual(parseReadyProbe('tcp:[::1]:4000'), { kind: 'tcp', host: '::1', port: 4000 });
  const line = parseReadyProbe('line:listening on \\d+') as Extract<ReadyProbe, { kind: 'line' }>;
  t.true(line.pattern.test('listening on 80'));
  for (const bad of [
    'localhost:3000',
    'tcp:',
    'tcp:0',
    'tcp:70000',
    'tcp:host:x',
    'line:(',
    'ftp://x',
    'http://',
    42,
  ]) {
    const error = t.throws(() => parseReadyProbe(bad), { instanceOf: CorralError }, String(bad));
    t.is((error as CorralError).code, 'EINVALID_PROBE');
  }
});

test('the probe is asked at once, then after pauses doubling from 10 ms to 250 ms', async (t) => {
  const clock = new VirtualClock();
  let asked = 0;
  const attempt: ProbeAttempt = async () => ++asked === 9;
  const outcome = await readyOnClock(clock, fakeSource(), tcp, { timeoutMs: 60_000, signal: undefined }, () => attempt);
  t.is(outcome.kind, 'ready');
  t.is(asked, 9);
  // The first sleep is the ready deadline itself; then the pauses.
  t.deepEqual(clock.sleeps, [60_000, 10, 20, 40, 80, 160, 250, 250, 250]);
  t.is(outcome.elapsedMs, 1060);
});

test('never ready: the outcome is timeout, exactly at the deadline of the clock', async (t) => {
  const clock = new VirtualClock();
  const outcome = await readyOnClock(
    clock,
    fakeSource(),
    tcp,
    { timeoutMs: 5000, signal: undefined },
    () => async () => false,
  );
  t.deepEqual(outcome, { kind: 'timeout', elapsedMs: 5000 });
});

test('an attempt that hangs is ended by the deadline', async (t) => {
  const clock = new VirtualClock();
  const hangs: ProbeAttempt = (signal) =>
    new Promise((resolve) => signal.addEventListener('abort', () => resolve(false)));
  const outcome = await readyOnClock(clock, fakeSource(), tcp, { timeoutMs: 3000, signal: undefined }, () => hangs);
  t.deepEqual(outcome, { kind: 'timeout', elapsedMs: 3000 });
});

test('the server exiting ends the wait when it happens, even during a hanging attempt', async (t) => {
  const clock = new VirtualClock();
  const source = fakeSource();
  clock.at(700, () => source.exit({ code: 1, signal: null }));
  const hangs: ProbeAttempt = (signal) =>
    new Promise((resolve) => signal.addEventListener('abort', () => resolve(false)));
  const outcome = await readyOnClock(clock, source, tcp, { timeoutMs: 60_000, signal: undefined }, () => hangs);
  t.deepEqual(outcome, { kind: 'exited', elapsedMs: 700, exit: { code: 1, signal: null } });
});

test('line: a matching line is seen when it comes, not at the next pause; other lines do not count', async (t) => {
  const clock = new VirtualClock();
  const source = fakeSource();
  clock.at(100, () => source.emit('compiling…'));
  clock.at(1234, () => source.emit('ready on port 5173'));
  const outcome = await readyOnClock(clock, source, parseReadyProbe('line:ready on port \\d+'), {
    timeoutMs: 60_000,
    signal: undefined,
  });
  t.deepEqual(outcome, { kind: 'ready', elapsedMs: 1234 });
});

test('a line before the exit wins; the AbortSignal ends the wait as aborted', async (t) => {
  const clock = new VirtualClock();
  const source = fakeSource();
  clock.at(5, () => {
    source.emit('ready');
    source.exit({ code: 0, signal: null });
  });
  t.is(
    (await readyOnClock(clock, source, parseReadyProbe('line:^ready$'), { timeoutMs: 1000, signal: undefined })).kind,
    'ready',
  );

  const controller = new AbortController();
  clock.at(clock.now() + 300, () => controller.abort());
  const aborted = await readyOnClock(
    clock,
    fakeSource(),
    tcp,
    { timeoutMs: 60_000, signal: controller.signal },
    () => async () => false,
  );
  t.deepEqual(aborted, { kind: 'aborted', elapsedMs: 300 });
});
