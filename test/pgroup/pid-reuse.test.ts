/**
 * The process-group mechanism's bookkeeping against a scripted host: PID
 * reuse, leaders that die before their members, zombies, EPERM, and the
 * cheap path of isDrained(). These are races a real machine will not stage
 * on demand; test/pgroup/real-groups.test.ts covers the real syscalls.
 */
import test from 'ava';
import type { SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import { CorralError } from '../../src/errors.js';
import type { GuardRecord } from '../../src/guard/record.js';
import { MARKER_VARIABLE } from '../../src/mechanisms/pgroup/group-marker.js';
import { createPgroupContainment } from '../../src/mechanisms/pgroup/pgroup-containment.js';
import { FakeHost, fakeRuntime } from './fake-host.js';
import { ManualClock } from './manual-clock.js';
import { systemClock } from '../../src/driver/clock.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

const LEADER = 4242;
const SIGTERM = constants.signals.SIGTERM;
const SIGKILL = constants.signals.SIGKILL;

/** The pgroup records only (the group's marker record is always there too). */
function pgroupRecords(containment: ReturnType<typeof createPgroupContainment>) {
  return containment.guardRecords().filter((record) => record.kind === 'pgroup');
}

function withLeader(startTime = 100) {
  const host = new FakeHost();
  host.add(LEADER, { startTime });
  host.nextPid = LEADER;
  const clock = new ManualClock();
  const containment = createPgroupContainment(systemClock, fakeRuntime(host, clock));
  containment.spawn('leader', [], {});
  /** One census round: the census is the walk no API call asks for, and it records what it saw. */
  const census = () => clock.fireNext();
  return { host, containment, census };
}

test('a leader pid recycled by a stranger is never signalled: the group is dead', async (t) => {
  const { host, containment } = withLeader();
  t.deepEqual(pgroupRecords(containment), [{ kind: 'pgroup', pgid: LEADER, leaderStartTime: 100 }]);

  // Our group emptied unseen; a stranger got the pid and leads a group of its own.
  host.add(LEADER, { startTime: 900 });
  host.add(LEADER + 1, { startTime: 901, pgid: LEADER });

  t.is(await containment.signal('SIGTERM'), 0);
  await containment.hardKill();
  containment.killSync();
  await containment.suspend();
  t.deepEqual(await containment.members(), []);
  t.true(await containment.isDrained());
  t.deepEqual(containment.guardRecords(), []);
  t.deepEqual(host.signalsTo(LEADER), [], 'no signal ever reached the stranger group');
});

test('members that outlive their leader are still ours; zombies are not members', async (t) => {
  const { host, containment } = withLeader();
  host.table.delete(LEADER);
  host.add(5000, { startTime: 150, pgid: LEADER });
  host.add(5001, { startTime: 50, pgid: LEADER }); // started before our leader: cannot be ours
  host.add(5002, { startTime: 160, pgid: LEADER, state: 'Z' });

  t.deepEqual(await containment.members(), [5000]);
  t.false(await containment.isDrained());
  t.is(await containment.signal('SIGTERM'), 1);
  t.deepEqual(host.signalsTo(LEADER), [SIGTERM]);
  t.deepEqual((await containment.stats()).processes, 1);

  host.table.delete(5000);
  host.table.delete(5001);
  t.true(await containment.isDrained(), 'only a zombie holds the pgid');
  t.is(pgroupRecords(containment).length, 1, 'a pgid held by a zombie cannot be recycled yet');
});

test('a group once seen empty is left out at once, and dropped for good by the next census round', async (t) => {
  const { host, containment, census } = withLeader();
  host.table.delete(LEADER);
  t.true(await containment.isDrained());
  t.deepEqual(containment.guardRecords(), [], 'a query leaves the emptied group out');
  await census();

  // Even a process that would pass the start-time check is left alone now.
  host.add(6000, { startTime: 200, pgid: LEADER });
  t.deepEqual(await containment.members(), []);
  await containment.hardKill();
  t.deepEqual(host.signalsTo(LEADER), []);
});

test('a new leader with the pid of an old, emptied group replaces it', async (t) => {
  const { host, containment } = withLeader(100);
  host.add(LEADER, { startTime: 700 });
  containment.spawn('again', [], {});

  t.deepEqual(pgroupRecords(containment), [{ kind: 'pgroup', pgid: LEADER, leaderStartTime: 700 }]);
  await containment.hardKill();
  // The whole group stopped, then killed (members in the group need no pidfd).
  t.deepEqual(host.signalsTo(LEADER), [constants.signals.SIGSTOP, SIGKILL]);
});

test('EPERM from a group of zombies is not an error; from live members it is', async (t) => {
  const { host, containment } = withLeader();
  host.forcedErrno.set(LEADER, 'EPERM');
  host.add(LEADER, { startTime: 100, state: 'Z' });
  t.is(await containment.signal('SIGTERM'), 0);
  await t.notThrowsAsync(containment.hardKill());

  host.add(5000, { startTime: 150, pgid: LEADER });
  const signalError = await t.throwsAsync(containment.signal('SIGTERM'), { instanceOf: CorralError });
  t.is(signalError?.code, 'ESIGNAL_FAILED');
  t.is(signalError?.syscall, 'killpg', 'members in the group are signalled through it');
  t.is(signalError?.errnoCode, 'EPERM');
  t.deepEqual(signalError?.pids, [5000]);
  const killError = await t.throwsAsync(containment.hardKill(), { instanceOf: CorralError });
  t.is(killError?.code, 'EKILL_FAILED');
  t.notThrows(() => containment.killSync());
});

test('isDrained() answers from one stat read while a leader lives: no probe, no scan', async (t) => {
  const { host, containment } = withLeader();
  const calls = host.calls.length;
  const scans = host.scans;

  t.false(await containment.isDrained());
  t.is(host.calls.length, calls);
  t.is(host.scans, scans);
});

test('isDrained() only reads: a few members the last walk saw, then a scan; no scan while one of them lives', async (t) => {
  const { host, containment, census } = withLeader();
  const members = Array.from({ length: 20 }, (_, i) => 7000 + i);
  for (const pid of members) host.add(pid, { startTime: 200, pgid: LEADER, sid: LEADER, ppid: LEADER });
  await census();
  host.table.delete(LEADER);
  for (const pid of members.slice(0, 4)) host.table.delete(pid);
  host.add(7004, { startTime: 900 }); // a recycled pid: gone too, as far as the group is concerned
  const scans = host.scans;
  const readsOf = async () => {
    const from = host.statReadPids.length;
    t.false(await containment.isDrained());
    return host.statReadPids.slice(from).filter((pid) => pid !== LEADER);
  };

  t.deepEqual(await readsOf(), [7000, 7001, 7002, 7003, 7004, 7005], 'the gone members, then a live one');
  host.table.delete(7005);
  t.deepEqual(await readsOf(), [7000, 7001, 7002, 7003, 7004, 7005, 7006], 'the same again: a query keeps no record');
  t.is(host.scans, scans, 'no scan while a member the walk saw is alive');
  for (const pid of members) host.table.delete(pid);
  t.true(await containment.isDrained(), 'all gone: the scan says so');
  t.is(host.scans, scans + 1);
});

test('an orphan adopted from a group (its session) keeps it undrained after the group itself emptied', async (t) => {
  const { host, containment } = withLeader();
  host.table.delete(LEADER);
  // Left the process group, not the session; its parent died, so the subreaper (us) adopted it.
  host.add(7000, { startTime: 300, pgid: 7000, sid: LEADER, ppid: host.selfPid });
  // An orphan of someone else's tree, also adopted: not ours.
  host.add(7001, { startTime: 300, pgid: 7001, sid: 7001, ppid: host.selfPid });

  t.false(await containment.isDrained());
  t.deepEqual(await containment.members(), [7000]);
  await containment.hardKill();
  t.deepEqual(
    host.calls.filter((c) => c.pid !== undefined).map((c) => [c.pid, c.signal]),
    [
      [7000, constants.signals.SIGSTOP],
      [7000, SIGKILL],
    ],
  );
  host.table.delete(7000);
  t.true(await containment.isDrained());
});

test('the guard is told of a live member outside our process groups, and no longer once it is a zombie', async (t) => {
  const { host, containment, census } = withLeader();
  // The leader's child left for a process group of its own: only the walk finds it.
  host.add(7000, { startTime: 300, pgid: 7000, sid: LEADER, ppid: LEADER });
  const processRecords = () => containment.guardRecords().filter((record) => record.kind === 'process');
  const heard: number[] = [];
  containment.watchGuardRecords(() => heard.push(processRecords().length));
  t.deepEqual((await containment.members()).sort(), [LEADER, 7000]);
  t.deepEqual(processRecords(), [], 'members() is a query: it records nothing');
  await census();
  t.deepEqual(heard, [1], 'the census round walked, recorded the member and told the guard');
  t.deepEqual(processRecords(), [{ kind: 'process', pid: 7000, startTime: 300 }]);
  // Dead, not yet reaped: nothing to guard, and its pid cannot be reused until it is reaped.
  host.add(7000, { startTime: 300, pgid: 7000, sid: LEADER, ppid: LEADER, state: 'Z' });
  t.deepEqual(processRecords(), []);
  t.deepEqual(
    pgroupRecords(containment),
    [{ kind: 'pgroup', pgid: LEADER, leaderStartTime: 100 }],
    'the live group is still guarded',
  );
});

test('a spawn that got no pid tracks nothing', async (t) => {
  const host = new FakeHost();
  host.nextPid = undefined;
  const containment = createPgroupContainment(systemClock, fakeRuntime(host));
  containment.spawn('missing', [], {});

  t.deepEqual(containment.guardRecords(), []);
  t.true(await containment.isDrained());
  t.deepEqual(host.calls, []);
});

test('the guard hears of the marker before the leader is forked, and of its process group right after', (t) => {
  const host = new FakeHost();
  host.add(LEADER, { startTime: 100 });
  host.nextPid = LEADER;
  const containment = createPgroupContainment(systemClock, fakeRuntime(host));
  t.deepEqual(containment.guardRecords(), [], 'a group with nothing in it guards nothing yet');
  const heard: GuardRecord[][] = [];
  containment.watchGuardRecords!(() => heard.push(containment.guardRecords()));
  let heardAtFork: GuardRecord[][] = [];
  let leaderEnv: NodeJS.ProcessEnv | undefined;
  const fork = host.spawn.bind(host);
  host.spawn = ((_file: string, _args: readonly string[], options: SpawnOptions) => {
    heardAtFork = [...heard];
    leaderEnv = options.env;
    return fork();
  }) as FakeHost['spawn'];
  containment.spawn('leader', [], {});

  t.is(heardAtFork.length, 1, 'the guard was told once, before the fork');
  const marker = heardAtFork[0]![0]!;
  t.is(heardAtFork[0]!.length, 1, 'one record: the leader has no pid yet');
  if (marker.kind !== 'marker') return t.fail(`not the marker record: ${JSON.stringify(marker)}`);
  t.is(leaderEnv?.[MARKER_VARIABLE], marker.marker, 'the marker the leader carries');
  t.deepEqual(
    containment.guardRecords(),
    [{ kind: 'pgroup', pgid: LEADER, leaderStartTime: 100 }, marker],
    'then its process group too',
  );
});

test('spare() forgets the groups: nothing is signalled afterwards', async (t) => {
  const { host, containment } = withLeader();
  await containment.spare();

  t.deepEqual(containment.guardRecords(), []);
  containment.killSync();
  t.deepEqual(host.signalsTo(LEADER), []);
});

test('any other killpg failure is reported with its errno', async (t) => {
  const { host, containment } = withLeader();
  host.forcedErrno.set(LEADER, 'EINVAL');

  const error = await t.throwsAsync(containment.signal('SIGTERM'), { instanceOf: CorralError });
  t.is(error?.code, 'ESIGNAL_FAILED');
  t.is(error?.errnoCode, 'EINVAL');
  t.deepEqual(error?.pids, [LEADER]);
  t.regex(error?.message ?? '', /4242 \(EINVAL\)/);
});

test('a member that cannot be stopped and forks before its SIGKILL: the hard kill looks again after the kill and kills the fork itself', async (t) => {
  const { host, containment } = withLeader();
  // Outside our process group, another user's: every signal to it fails with EPERM, so it keeps running.
  host.add(5000, { startTime: 150, ppid: LEADER, pgid: 5000, sid: LEADER });
  host.forcedErrno.set(5000, 'EPERM');
  // It forks just as our SIGKILL reaches the group: the child is in no walk before the kill.
  const killpg = host.killpg.bind(host);
  host.killpg = (pgid, signal) => {
    if (pgid === LEADER && signal === SIGKILL && !host.table.has(6000))
      host.add(6000, { startTime: 160, ppid: 5000, pgid: 6000, sid: LEADER });
    return killpg(pgid, signal);
  };

  const error = await t.throwsAsync(containment.hardKill(), { instanceOf: CorralError });
  t.deepEqual(error?.pids, [5000], 'the member it could not kill is named');
  t.deepEqual(
    host.signalsTo(6000),
    [constants.signals.SIGSTOP, SIGKILL],
    'the fork was stopped and killed within the hard kill',
  );
  const signals = () => host.calls.filter((call) => call.signal !== 0).length;
  const sent = signals();
  t.false(await containment.isDrained());
  t.is(signals(), sent, 'the drain check only reads: it sends no signal');
});
