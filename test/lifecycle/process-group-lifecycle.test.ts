// ProcessGroup's lifecycle over a scripted containment and a virtual clock:
// what close() kills or spares, how spawns re-arm it, how errors surface.
import test from 'ava';
import { ProcessGroup } from '../../src/group/process-group.js';
import { CorralError } from '../../src/errors.js';
import { FakeContainment, type FakeContainmentScript } from '../helpers/fake-containment.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

function setup(script: FakeContainmentScript = {}, options = {}) {
  const clock = new VirtualClock();
  const containment = new FakeContainment(clock, script);
  const group = ProcessGroup.fromContainment(containment, options);
  return { clock, containment, group };
}

test('close() kills the tree and releases it; a second close() is the same close', async (t) => {
  const { containment, group } = setup();
  group.spawn('sleep', ['1000']);
  const [a, b] = [group.close(), group.close()];
  await Promise.all([a, b]);
  t.is(a, b);
  t.deepEqual(containment.released, [false]);
  t.true(containment.log.some((l) => l.endsWith('hardKill')));
  t.true(group.closed);
  await group.close();
  t.deepEqual(containment.released, [false], 'released once');
});

test('after a stand-down close() spares the tree', async (t) => {
  const { containment, group } = setup({}, { escalate: false, shutdownTimeout: 100 });
  group.spawn('sleep', ['1000']);
  const report = await group.shutdown();
  t.true(report.stoodDown);
  t.true(group.skipDropKill);
  await group.close();
  t.deepEqual(containment.released, [true]);
  t.false(containment.log.some((l) => l.endsWith('hardKill')));
});

test('a spawn after a stand-down re-arms the kill on close()', async (t) => {
  const { containment, group } = setup({}, { escalate: false, shutdownTimeout: 100 });
  group.spawn('sleep', ['1000']);
  await group.shutdown();
  group.spawn('sleep', ['1000']);
  t.false(group.skipDropKill);
  await group.close();
  t.deepEqual(containment.released, [false]);
  t.true(containment.log.some((l) => l.endsWith('hardKill')));
});

test('await using disposes the group', async (t) => {
  const { containment, group } = setup();
  {
    await using g = group;
    g.spawn('true');
  }
  t.true(group.closed);
  t.deepEqual(containment.released, [false]);
});

test('spawn, signal, shutdown, stats and suspend on a closed group throw EGROUP_CLOSED; kill and members are no-ops', async (t) => {
  const { group } = setup();
  await group.close();
  t.is(t.throws(() => group.spawn('true'), { instanceOf: CorralError })?.code, 'EGROUP_CLOSED');
  for (const call of [
    () => group.signal('SIGHUP'),
    () => group.shutdown(),
    () => group.stats(),
    () => group.suspend(),
    () => group.resume(),
  ]) {
    t.is((await t.throwsAsync(call(), { instanceOf: CorralError }))?.code, 'EGROUP_CLOSED');
  }
  await t.notThrowsAsync(group.kill());
  t.deepEqual(await group.members(), []);
});

test('a close() that fails leaves the group open, so it can be retried', async (t) => {
  const { containment, group } = setup({ hardKill: 'survives' }, { killTimeout: 10 });
  const error = await t.throwsAsync(group.close(), { instanceOf: CorralError });
  t.is(error?.code, 'EKILL_TIMEOUT');
  t.false(group.closed);
  t.deepEqual(containment.released, []);
  t.notThrows(() => group.spawn('true'), 'still open');
});

test('shutdown() validates its options before touching the tree', async (t) => {
  const { containment, group } = setup();
  const error = await t.throwsAsync(group.shutdown({ timeout: -1 }), { instanceOf: CorralError });
  t.is(error?.code, 'EINVALID_OPTION');
  t.deepEqual(containment.log, []);
});

test('spawn() argument forms follow child_process.spawn', (t) => {
  const { containment, group } = setup();
  group.spawn('a');
  group.spawn('b', ['1', '2']);
  group.spawn('c', { cwd: '/' });
  group.spawn('d', ['x'], { cwd: '/' });
  t.deepEqual(containment.spawned, ['a', 'b 1 2', 'c', 'd x']);
  t.is(t.throws(() => group.spawn('' as string), { instanceOf: CorralError })?.code, 'EINVALID_OPTION');
  t.is(
    t.throws(() => group.spawn('e', [1 as unknown as string]), { instanceOf: CorralError })?.code,
    'EINVALID_OPTION',
  );
});

test('signal() uses the group killSignal by default and checks names', async (t) => {
  const { containment, group } = setup({}, { killSignal: 'SIGINT' });
  await group.signal();
  await group.signal('HUP' as NodeJS.Signals);
  t.deepEqual(containment.log, ['0 signal SIGINT', '0 signal SIGHUP']);
  t.is(
    (await t.throwsAsync(group.signal('SIGWHAT' as NodeJS.Signals), { instanceOf: CorralError }))?.code,
    'EINVALID_SIGNAL',
  );
});

test('kill() resolves once drained', async (t) => {
  const { group } = setup();
  await group.kill();
  t.deepEqual(await group.members(), []);
});
