/**
 * The process-group mechanism against the real kernel: the leader really
 * heads its own session and group, a reaped leader's group is marked dead,
 * the guard records name the right process, failed spawns leak nothing,
 * and a process's environment is read whole, however big.
 */
import { constants } from 'node:os';
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import type { Containment } from '../../src/mechanisms/containment.js';
import { clockTicksPerSecond } from '../../src/mechanisms/pgroup/clock-ticks.js';
import { createPgroupContainment } from '../../src/mechanisms/pgroup/pgroup-containment.js';
import { FallbackRuntime, processRuntime } from '../../src/mechanisms/pgroup/fallback-runtime.js';
import { systemClock } from '../../src/driver/clock.js';
import { realHost, type PgroupHost } from '../../src/mechanisms/pgroup/pgroup-host.js';
import { readProcStatSync } from '../../src/proc/stat.js';
import { readEnvironSync } from '../../src/proc/read-proc-file.js';
import { markersIn } from '../../src/mechanisms/pgroup/group-marker.js';
import { assertNoSurvivors, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { eventually } from '../helpers/settle.js';
import type { ExecutionContext } from 'ava';

/** The real host, with every killpg recorded. */
function recordingHost(): PgroupHost & { signals: Array<[number, number]> } {
  const signals: Array<[number, number]> = [];
  return {
    ...realHost,
    signals,
    killpg(pgid, signal) {
      signals.push([pgid, signal]);
      return realHost.killpg(pgid, signal);
    },
  };
}

function containmentFor(t: ExecutionContext, host: PgroupHost = realHost): Containment {
  // A scripted host gets a runtime of its own that neither adopts nor reaps: the process's runtime is realHost's.
  const runtime = host === realHost ? processRuntime() : new FallbackRuntime({ host, adopts: false });
  const containment = createPgroupContainment(systemClock, runtime);
  t.teardown(async () => {
    containment.killSync();
    await containment.spare();
  });
  return containment;
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

test.serial('a failed spawn (ENOENT) tracks nothing and leaks no descriptor', async (t) => {
  const containment = containmentFor(t);
  // A leak is a descriptor open after that was not open before; Node itself
  // may close one of its own meanwhile (seen on Node 22 and 24), which is fine.
  const before = new Set(openDescriptors());
  for (let i = 0; i < 5; i += 1) {
    const child = containment.spawn('corral-test-no-such-command', [], { stdio: 'ignore' });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    t.is(error.code, 'ENOENT');
  }
  t.deepEqual(
    openDescriptors().filter((fd) => !before.has(fd)),
    [],
    'no descriptor was left open',
  );
  t.deepEqual(containment.guardRecords(), []);
  t.true(await containment.isDrained());
});

test('the leader heads its own session and process group, even when detached: false is asked for', async (t) => {
  const tag = tagFor(t);
  const containment = containmentFor(t);
  const child = containment.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore', detached: false });
  await waitForTagged(tag.tag, 1);

  const stat = readProcStatSync(child.pid!);
  t.is(stat?.pgid, child.pid);
  t.is(stat?.sid, child.pid);
  t.deepEqual(
    containment.guardRecords().filter((r) => r.kind === 'pgroup'),
    [{ kind: 'pgroup', pgid: child.pid!, leaderStartTime: stat!.startTime }],
  );

  await containment.hardKill();
  await exited(child);
  t.true(await containment.isDrained());
  assertNoSurvivors(t, tag);
});

test('a leader that exits and is reaped leaves a dead group that is never signalled again', async (t) => {
  const tag = tagFor(t);
  const host = recordingHost();
  const containment = containmentFor(t, host);
  const child = containment.spawn('true', [], { env: tag.env, stdio: 'ignore' });
  const pgid = child.pid!;
  await exited(child);

  t.true(await containment.isDrained());
  t.deepEqual(containment.guardRecords(), []);
  t.is(await containment.signal('SIGTERM'), 0);
  await containment.hardKill();
  t.deepEqual(
    host.signals.filter(([g, signal]) => g === pgid && signal !== 0),
    [[pgid, constants.signals.SIGTERM]],
    'the first signal found the group empty (ESRCH) and dropped it: nothing went to it after',
  );
  assertNoSurvivors(t, tag);
});

test('members of several spawned groups are tracked together', async (t) => {
  const tag = tagFor(t);
  const containment = containmentFor(t);
  const first = containment.spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { env: tag.env, stdio: 'ignore' });
  const second = containment.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  const tagged = await waitForTagged(tag.tag, 3);

  t.deepEqual([...(await containment.members())].sort(), [...tagged].sort());
  t.deepEqual(
    containment
      .guardRecords()
      .filter((r) => r.kind === 'pgroup')
      .map((r) => (r.kind === 'pgroup' ? r.pgid : 0)),
    [first.pid, second.pid],
  );
  t.is(await containment.signal('SIGKILL'), 3);
  await Promise.all([exited(first), exited(second)]);
  await eventually(() => containment.isDrained(), 'the tree drained');
  assertNoSurvivors(t, tag);
});

test('killSync() kills every live group without waiting', async (t) => {
  const tag = tagFor(t);
  const containment = containmentFor(t);
  const child = containment.spawn('sh', ['-c', 'sleep 1000 & exec sleep 1000'], { env: tag.env, stdio: 'ignore' });
  await waitForTagged(tag.tag, 2);

  containment.killSync();
  const signal = await new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  t.is(signal, 'SIGKILL');
  await eventually(() => containment.isDrained(), 'the tree drained');
  assertNoSurvivors(t, tag);
});

test('clock ticks per second come from the kernel (AT_CLKTCK), as getconf says', (t) => {
  const getconf = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  t.is(clockTicksPerSecond(), getconf);
});

/** This process's open descriptors, each as "number -> target". */
function openDescriptors(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [`${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`];
    } catch {
      return []; // The directory's own descriptor, closed by now.
    }
  });
}

test('the environment of a real process is read whole, a 200 KiB one too, and the marker is found exactly', async (t) => {
  const tag = tagFor(t);
  const entry = 'CORRAL_GROUP=4242.17.3';
  // Entries that a substring match would confuse with the marker: a longer name, and one holding the entry.
  // Three entries of 70 KiB (one entry may not exceed 128 KiB, MAX_ARG_STRLEN).
  const padding = 'x'.repeat(70 * 1024);
  const env = {
    ...tag.env,
    CORRAL_GROUP_OTHER: entry,
    PAD1: padding,
    PAD2: padding,
    PAD3: padding,
    CORRAL_GROUP: '4242.17.3',
    LAST: 'end',
  };
  const child = spawn('sleep', ['1000'], { env, stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await waitForTagged(tag.tag, 1);
  const environ = readEnvironSync(child.pid!);
  t.truthy(environ);
  t.true(environ!.length > 200 * 1024);
  for (const name of ['PAD1', 'PAD2', 'PAD3']) t.true(environ!.includes(`${name}=${padding}\0`), `${name}, whole`);
  t.true(environ!.endsWith('LAST=end\0'), 'and what follows it');
  t.deepEqual(markersIn(environ!), ['4242.17.3'], 'the marker, whole, and nothing that only looks like it');
  t.deepEqual(markersIn(readEnvironSync(process.pid) ?? ''), [], 'this process does not carry one');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  t.is(readEnvironSync(child.pid!), undefined, 'a reaped process has no environment to read');
  assertNoSurvivors(t, tag);
});

test('markers are whole entries: at the start, in the middle, at the end, with or without the closing NUL', (t) => {
  t.deepEqual(markersIn('CORRAL_GROUP=1\0B=2\0'), ['1']);
  t.deepEqual(markersIn('A=1\0CORRAL_GROUP=2.3\0'), ['2.3']);
  t.deepEqual(markersIn('A=1\0CORRAL_GROUP=2'), ['2']);
  t.deepEqual(markersIn('A=1\0CORRAL_GROUP_X=2\0XCORRAL_GROUP=3\0'), []);
  t.deepEqual(markersIn(''), []);
});
