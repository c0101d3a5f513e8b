/**
 * The systemd scope, hermetically: the busctl command lines and the replies
 * (the reply texts are what busctl 252 printed in the test-vm guest), the
 * choice of bus, the bounded wait on the virtual clock against a scripted
 * bus, the once-per-process keeper, and the order in which 'auto' tries
 * things, with fakes. The real thing runs in systemd-scope-vm.test.ts.
 */
import test from 'ava';
import { CorralError } from '../../src/errors.js';
import type { CgroupContainment } from '../../src/mechanisms/cgroup/cgroup-containment.js';
import { selectMechanism } from '../../src/group/select-mechanism.js';
import type { PlacementSeams } from '../../src/mechanisms/cgroup/place-group.js';
import { systemClock } from '../../src/driver/clock.js';
import { resolveCreateOptions } from '../../src/options/group-options.js';
import { originOf } from '../../src/mechanisms/cgroup/cgroup-origin.js';
import {
  cancelJobArguments,
  jobStateArguments,
  startScopeArguments,
  unitStateArguments,
} from '../../src/mechanisms/cgroup/systemd/busctl-arguments.js';
import {
  failureText,
  parseObjectPathReply,
  parseStringProperty,
  saysUnknownObject,
} from '../../src/mechanisms/cgroup/systemd/busctl-reply.js';
import {
  chooseManagerBus,
  socketOfAddress,
  type ManagerBus,
  type StatSocket,
} from '../../src/mechanisms/cgroup/systemd/manager-bus.js';
import { runBusctl, type Busctl } from '../../src/mechanisms/cgroup/systemd/run-busctl.js';
import { ScopeKeeper } from '../../src/mechanisms/cgroup/systemd/scope-keeper.js';
import { primeMigration, primerInFlight } from '../../src/mechanisms/cgroup/migration-primer.js';
import { optedOutByEnv } from '../../src/options/systemd-opt-out.js';
import { scopeProspect, type ProspectHost } from '../../src/mechanisms/cgroup/systemd/scope-prospect.js';
import { cgroupIsInUnit, scopeUnitName, unitObjectPath } from '../../src/mechanisms/cgroup/systemd/scope-unit.js';
import {
  JOB_WAIT_MS,
  startDelegatedScope,
  type StartScopeSeams,
} from '../../src/mechanisms/cgroup/systemd/start-scope.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

const BUS: ManagerBus = { manager: 'user', address: 'unix:path=/run/user/1000/bus', socket: '/run/user/1000/bus' };
const UNIT = 'corral-415-0a1b2c3d.scope';
const SESSION = '/user.slice/user-1000.slice/session-3.scope';
const SCOPE_CGROUP = `/user.slice/user-1000.slice/user@1000.service/app.slice/${UNIT}`;
const GUEST_JOB_REPLY = '{"type":"o","data":["/org/freedesktop/systemd1/job/20"]}\n';
const GUEST_UNKNOWN_JOB =
  "Failed to get property State on interface org.freedesktop.systemd1.Job: Unknown object '/org/freedesktop/systemd1/job/20'.";

test('the StartTransientUnit call: pids, Delegate, CollectMode, no default dependencies, mode fail, over the chosen address', (t) => {
  const args = startScopeArguments(BUS, { unit: UNIT, pids: [415], description: 'corral: test' }, 5000);
  t.deepEqual(args, [
    '--address=unix:path=/run/user/1000/bus',
    '--json=short',
    '--no-pager',
    '--timeout=5',
    'call',
    'org.freedesktop.systemd1',
    '/org/freedesktop/systemd1',
    'org.freedesktop.systemd1.Manager',
    'StartTransientUnit',
    'ssa(sv)a(sa(sv))',
    UNIT,
    'fail',
    '5',
    'Description',
    's',
    'corral: test',
    'PIDs',
    'au',
    '1',
    '415',
    'Delegate',
    'b',
    'true',
    'CollectMode',
    's',
    'inactive-or-failed',
    'DefaultDependencies',
    'b',
    'false',
    '0',
  ]);
  t.deepEqual(jobStateArguments(BUS, '/org/freedesktop/systemd1/job/20', 1500).slice(3), [
    '--timeout=2',
    'get-property',
    'org.freedesktop.systemd1',
    '/org/freedesktop/systemd1/job/20',
    'org.freedesktop.systemd1.Job',
    'State',
  ]);
  t.deepEqual(cancelJobArguments(BUS, '/j', 10).slice(3), [
    '--timeout=1',
    'call',
    'org.freedesktop.systemd1',
    '/j',
    'org.freedesktop.systemd1.Job',
    'Cancel',
  ]);
  t.deepEqual(unitStateArguments(BUS, '/u', 5000).slice(4), [
    'get-property',
    'org.freedesktop.systemd1',
    '/u',
    'org.freedesktop.systemd1.Unit',
    'ActiveState',
  ]);
});

test("busctl's replies and failures, as the guest's busctl 252 printed them", (t) => {
  t.is(parseObjectPathReply(GUEST_JOB_REPLY), '/org/freedesktop/systemd1/job/20');
  t.is(parseObjectPathReply('{"type":"s","data":"x"}'), undefined);
  t.is(parseObjectPathReply('o "/org/x"'), undefined, 'not JSON');
  t.is(parseObjectPathReply(''), undefined);
  t.is(parseObjectPathReply('null'), undefined);
  t.is(parseStringProperty('{"type":"s","data":"active"}\n'), 'active');
  t.is(parseStringProperty('{"type":"u","data":3}'), undefined);
  t.true(saysUnknownObject(GUEST_UNKNOWN_JOB));
  t.false(saysUnknownObject('Call failed: Unit corral-x-415.scope was already loaded or has a fragment file.'));
  t.is(
    failureText('Call failed: Process 1 is a manager process, refusing.\n', 'exited with 1'),
    'Call failed: Process 1 is a manager process, refusing',
  );
  t.is(failureText('', 'exited with 1'), 'busctl exited with 1 without a message');
});

test('unit names and their object paths, escaped as sd-bus escapes them', (t) => {
  t.is(
    unitObjectPath('corral-x-415.scope'),
    '/org/freedesktop/systemd1/unit/corral_2dx_2d415_2escope',
    'as GetUnit answered in the guest',
  );
  t.is(
    unitObjectPath('1a_b'),
    '/org/freedesktop/systemd1/unit/_31a_5fb',
    'a leading digit and an underscore are escaped',
  );
  t.is(unitObjectPath(''), '/org/freedesktop/systemd1/unit/_');
  const name = scopeUnitName(4242);
  t.regex(name, /^corral-4242-[0-9a-f]{8}\.scope$/);
  t.not(scopeUnitName(4242), name, 'two tries get two names');
  t.true(cgroupIsInUnit(SCOPE_CGROUP, UNIT));
  t.true(cgroupIsInUnit(`${SCOPE_CGROUP}/corral-supervisor`, UNIT));
  t.false(cgroupIsInUnit(SESSION, UNIT));
  t.false(cgroupIsInUnit(undefined, UNIT));
});

function stats(entries: Record<string, { isSocket: boolean; uid: number }>): StatSocket {
  return (path) => entries[path];
}

test('the bus: the session address, else $XDG_RUNTIME_DIR, else /run/user/<uid>, each only when it is a socket of this user', (t) => {
  const own = { isSocket: true, uid: 1000 };
  t.like(chooseManagerBus(1000, {}, stats({ '/run/user/1000/bus': own })), {
    bus: { manager: 'user', address: 'unix:path=/run/user/1000/bus' },
  });
  t.like(
    chooseManagerBus(
      1000,
      { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/my%20bus,guid=1', XDG_RUNTIME_DIR: '/run/user/1000' },
      stats({ '/tmp/my bus': own, '/run/user/1000/bus': own }),
    ),
    { bus: { socket: '/tmp/my bus', address: 'unix:path=/tmp/my%20bus,guid=1' } },
  );
  // root's environment kept by runuser: a bus of another user is passed over.
  t.like(
    chooseManagerBus(
      1000,
      { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/0/bus', XDG_RUNTIME_DIR: '/run/user/0' },
      stats({ '/run/user/0/bus': { isSocket: true, uid: 0 }, '/run/user/1000/bus': own }),
    ),
    { bus: { socket: '/run/user/1000/bus' } },
  );
  const none = chooseManagerBus(
    65534,
    { DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-x', XDG_RUNTIME_DIR: '/tmp/rt' },
    stats({ '/tmp/rt/bus': { isSocket: false, uid: 65534 } }),
  );
  t.deepEqual(none, {
    reason:
      "no systemd user manager's bus is reachable for uid 65534 ($DBUS_SESSION_BUS_ADDRESS (unix:abstract=/tmp/dbus-x) names no unix socket path; /tmp/rt/bus is not a socket; /run/user/65534/bus does not exist)",
  });
  t.like(chooseManagerBus(0, {}, stats({ '/run/dbus/system_bus_socket': { isSocket: true, uid: 0 } })), {
    bus: { manager: 'system', socket: '/run/dbus/system_bus_socket' },
  });
  t.regex(
    (chooseManagerBus(0, { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/x' }, stats({})) as { reason: string }).reason,
    /^the system bus is not reachable \(\/x does not exist; \/run\/dbus\/system_bus_socket does not exist\)$/,
  );
  t.is(socketOfAddress('tcp:host=a;unix:path=/b'), '/b');
  t.is(socketOfAddress('unix:path=%zz'), undefined, 'a broken escape');
});

function prospectHost(overrides: Partial<ProspectHost> = {}): ProspectHost {
  return {
    uid: 1000,
    env: {},
    systemdRunning: () => true,
    hasBusctl: () => true,
    stat: stats({ '/run/user/1000/bus': { isSocket: true, uid: 1000 } }),
    ...overrides,
  };
}

test('the prospect: opted out, no systemd, no busctl, no bus, or a bus to ask', (t) => {
  t.regex(
    (scopeProspect(false, prospectHost()) as { reason: string }).reason,
    /turned off \(systemdScope: false, or CORRAL_NO_SYSTEMD_SCOPE=1\)/,
  );
  t.deepEqual(scopeProspect(true, prospectHost({ systemdRunning: () => false })), {
    reason: 'systemd is not running here (no /run/systemd/system)',
  });
  t.regex(
    (scopeProspect(true, prospectHost({ hasBusctl: () => false })) as { reason: string }).reason,
    /busctl .* is not on PATH/,
  );
  t.regex(
    (scopeProspect(true, prospectHost({ stat: stats({}) })) as { reason: string }).reason,
    /no systemd user manager's bus/,
  );
  t.like(scopeProspect(true, prospectHost()), { bus: { manager: 'user' } });
  t.true(optedOutByEnv({ CORRAL_NO_SYSTEMD_SCOPE: '1' }));
  t.false(optedOutByEnv({ CORRAL_NO_SYSTEMD_SCOPE: '0' }));
  t.false(optedOutByEnv({ CORRAL_NO_SYSTEMD_SCOPE: '' }));
  t.false(optedOutByEnv({}));
});

/** A scripted systemd: answers each busctl command line by its verb, and moves "us" when the script says so. */
class FakeSystemd {
  cgroup = SESSION;
  readonly calls: string[][] = [];
  constructor(
    readonly clock: VirtualClock,
    readonly script: {
      start?: () => { ok: true; stdout: string } | { ok: false; message: string };
      /** Virtual time at which the job moves us (never, when undefined). */
      moveAt?: number;
      /** Virtual time at which the job is gone. */
      jobGoneAt?: number;
      unitState?: string;
      moveOnCancel?: boolean;
    },
  ) {}

  busctl: Busctl = async (args) => {
    this.calls.push(args);
    const verb = args.slice(4).join(' ');
    if (verb.includes('StartTransientUnit')) {
      const reply = this.script.start?.() ?? { ok: true as const, stdout: GUEST_JOB_REPLY };
      if (reply.ok && this.script.moveAt !== undefined)
        this.clock.at(this.script.moveAt, () => (this.cgroup = SCOPE_CGROUP));
      return reply;
    }
    if (verb.includes('Job State')) {
      const gone = this.script.jobGoneAt !== undefined && this.clock.now() >= this.script.jobGoneAt;
      return gone ? { ok: false, message: GUEST_UNKNOWN_JOB } : { ok: true, stdout: '{"type":"s","data":"waiting"}' };
    }
    if (verb.includes('ActiveState')) {
      return this.script.unitState === undefined
        ? { ok: false, message: 'Failed to get property' }
        : { ok: true, stdout: `{"type":"s","data":"${this.script.unitState}"}` };
    }
    if (verb.includes('Cancel')) {
      if (this.script.moveOnCancel) this.cgroup = SCOPE_CGROUP;
      return { ok: true, stdout: '' };
    }
    return { ok: false, message: `unexpected ${verb}` };
  };

  seams(): StartScopeSeams {
    return {
      busctl: this.busctl,
      clock: this.clock,
      readOwnCgroup: () => this.cgroup,
      pid: 415,
      unit: UNIT,
      description: 'corral: test',
    };
  }

  verbs(): string[] {
    return this.calls.map((args) => (args[args.length - 1] === '0' ? 'StartTransientUnit' : args[args.length - 1]!));
  }
}

test('the scope is ours once /proc/self/cgroup shows it: the wait polls the cgroup, asking about the job now and then', async (t) => {
  const clock = new VirtualClock();
  const systemd = new FakeSystemd(clock, { moveAt: 450 });
  const outcome = await startDelegatedScope(BUS, systemd.seams());
  t.deepEqual(outcome, { scope: { unit: UNIT, manager: 'user', bus: BUS.address, cgroup: SCOPE_CGROUP } });
  t.true(clock.now() >= 450 && clock.now() < 500, `seen at ${clock.now()} ms, soon after the move`);
  t.deepEqual(systemd.verbs(), ['StartTransientUnit', 'State', 'State']);
  t.true(
    clock.sleeps.every((ms) => ms <= 50),
    'the pauses stay short',
  );
});

test('a refused call, a reply without a job, a job that ends without the move, a job that never runs: each a reason, within the bound', async (t) => {
  const refused = new FakeSystemd(new VirtualClock(), {
    start: () => ({
      ok: false,
      message: 'Call failed: Unit corral-415-0a1b2c3d.scope was already loaded or has a fragment file',
    }),
  });
  t.deepEqual(await startDelegatedScope(BUS, refused.seams()), {
    reason:
      'the systemd user manager (unix:path=/run/user/1000/bus) did not start corral-415-0a1b2c3d.scope: Call failed: Unit corral-415-0a1b2c3d.scope was already loaded or has a fragment file',
  });
  const odd = new FakeSystemd(new VirtualClock(), { start: () => ({ ok: true, stdout: '{"type":"s","data":"?"}' }) });
  t.regex(
    ((await startDelegatedScope(BUS, odd.seams())) as { reason: string }).reason,
    /answered StartTransientUnit for .* with no job/,
  );

  const failedClock = new VirtualClock();
  const failed = new FakeSystemd(failedClock, { jobGoneAt: 300, unitState: 'failed' });
  t.regex(
    ((await startDelegatedScope(BUS, failed.seams())) as { reason: string }).reason,
    /finished the job for corral-415-0a1b2c3d\.scope without moving this process into it \(unit state: failed\)$/,
  );
  t.true(failedClock.now() < 1000);

  const stuckClock = new VirtualClock();
  const stuck = new FakeSystemd(stuckClock, {});
  t.regex(
    ((await startDelegatedScope(BUS, stuck.seams())) as { reason: string }).reason,
    new RegExp(
      `did not move this process into ${UNIT.replace('.', '\\.')} within ${JOB_WAIT_MS} ms \\(job /org/freedesktop/systemd1/job/20 cancelled\\)`,
    ),
  );
  t.true(
    stuckClock.now() >= JOB_WAIT_MS && stuckClock.now() < JOB_WAIT_MS + 100,
    'given up at the deadline, not later',
  );
  t.is(stuck.verbs().at(-1), 'Cancel');

  const late = new FakeSystemd(new VirtualClock(), { moveOnCancel: true });
  t.like(
    await startDelegatedScope(BUS, late.seams()),
    { scope: { unit: UNIT } },
    'a move that came with the cancel is taken',
  );
  const unknown = new FakeSystemd(new VirtualClock(), { jobGoneAt: 0 });
  t.regex(((await startDelegatedScope(BUS, unknown.seams())) as { reason: string }).reason, /\(unit state: unknown\)$/);
});

function keeper(systemd: FakeSystemd, host: ProspectHost = prospectHost()): ScopeKeeper {
  const { unit: _unit, ...start } = systemd.seams();
  return new ScopeKeeper({ host: () => host, start: { ...start, unitName: () => UNIT } });
}

test('the keeper asks once per process: concurrent groups share the attempt, later ones find the scope', async (t) => {
  const systemd = new FakeSystemd(new VirtualClock(), { moveAt: 10 });
  const scopes = keeper(systemd);
  t.is(scopes.entered(), undefined);
  const [a, b] = await Promise.all([scopes.enter(true), scopes.enter(true)]);
  t.deepEqual(a, b);
  t.like(a, { scope: { unit: UNIT } });
  t.is(systemd.verbs().filter((v) => v === 'StartTransientUnit').length, 1);
  t.like(scopes.entered(), { unit: UNIT });
  t.like(await scopes.enter(false), { scope: { unit: UNIT } }, 'already in it: nothing to opt out of');
  systemd.cgroup = SESSION;
  t.is(scopes.entered(), undefined, 'moved out by someone else: no longer ours');
});

test('the keeper asks systemd to move us only once no self-move (migration-primer.ts) is in flight, which would move us back out', async (t) => {
  const systemd = new FakeSystemd(new VirtualClock(), { moveAt: 10 });
  const inFlightAtCalls: boolean[] = [];
  const seams = systemd.seams();
  const scopes = new ScopeKeeper({
    host: () => prospectHost(),
    start: {
      ...seams,
      busctl: async (args, timeoutMs) => {
        inFlightAtCalls.push(primerInFlight());
        return seams.busctl(args, timeoutMs);
      },
      unitName: () => UNIT,
    },
  });
  primeMigration();
  const primed = primerInFlight();
  t.like(await scopes.enter(true), { scope: { unit: UNIT } });
  t.true(inFlightAtCalls.length > 0);
  t.deepEqual([...new Set(inFlightAtCalls)], [false], 'no call while a self-move was in flight');
  t.log(
    primed
      ? 'a self-move was in flight when enter() was called'
      : 'no self-move here (our cgroup is not ours to write)',
  );
});

test('the keeper: an opt-out or a missing bus costs no call and is not remembered; a refusal from systemd is', async (t) => {
  const systemd = new FakeSystemd(new VirtualClock(), { start: () => ({ ok: false, message: 'Access denied' }) });
  let host = prospectHost({ stat: stats({}) });
  const scopes = new ScopeKeeper({ host: () => host, start: { ...systemd.seams(), unitName: () => UNIT } });
  t.regex(((await scopes.enter(false)) as { reason: string }).reason, /turned off/);
  t.regex(((await scopes.enter(true)) as { reason: string }).reason, /bus is reachable/);
  t.is(systemd.calls.length, 0);
  host = prospectHost();
  t.regex(((await scopes.enter(true)) as { reason: string }).reason, /Access denied/);
  t.regex(((await scopes.enter(true)) as { reason: string }).reason, /Access denied/);
  t.is(systemd.calls.length, 1, 'asked once');
  t.regex(((await scopes.enter(false)) as { reason: string }).reason, /turned off/, 'the opt-out still says so');
});

/** A decision-order fake: the own cgroup refuses until the "scope" is entered. */
function decisionSeams(script: {
  scope?: 'ok' | 'refused';
  denyInScope?: boolean;
  readOnly?: boolean;
  otherError?: boolean;
}) {
  let inScope = false;
  const asked: boolean[] = [];
  const made: Array<string | undefined> = [];
  const seams: PlacementSeams = {
    hierarchy: () => ({
      layout: 'unified',
      mount: { mountPoint: '/sys/fs/cgroup', root: '/', readOnly: script.readOnly ?? false },
      ownCgroup: SESSION,
      ownCgroupPath: `/sys/fs/cgroup${SESSION}`,
    }),
    createCgroup: async ({ parent }) => {
      made.push(parent);
      if (script.otherError)
        throw new CorralError('ELIMIT_UNENFORCEABLE', 'limits cannot be enforced: no memory controller');
      if (!inScope || script.denyInScope)
        throw new CorralError(
          'ECGROUP_UNAVAILABLE',
          `cgroup v2 is not usable: cannot create ${inScope ? SCOPE_CGROUP : SESSION}/corral-1: EACCES`,
          { errnoCode: 'EACCES' },
        );
      return { cgroupPath: `/sys/fs/cgroup${SCOPE_CGROUP}/corral-1` } as unknown as CgroupContainment;
    },
    scope: {
      entered: () => (inScope ? { unit: UNIT, manager: 'user', bus: BUS.address, cgroup: SCOPE_CGROUP } : undefined),
      enter: async (allowed) => {
        asked.push(allowed);
        if (!allowed) return { reason: 'turned off' };
        if (script.scope !== 'ok') return { reason: 'no bus' };
        inScope = true;
        return { scope: { unit: UNIT, manager: 'user', bus: BUS.address, cgroup: SCOPE_CGROUP } };
      },
    },
  };
  return { seams, asked, made };
}

test("'auto' in order: the own cgroup, then a systemd scope, then process groups with a reason that says what was tried", async (t) => {
  const ok = decisionSeams({ scope: 'ok' });
  const got = await selectMechanism(resolveCreateOptions({ guard: false }), systemClock, ok.seams);
  t.is(got.containment.cgroupPath, `/sys/fs/cgroup${SCOPE_CGROUP}/corral-1`);
  t.deepEqual(got.cgroupOrigin, { kind: 'systemd-scope', unit: UNIT, manager: 'user', bus: BUS.address });
  t.deepEqual(ok.asked, [true]);
  t.is(ok.made.length, 2, 'tried the own cgroup, then again inside the scope');

  const refused = decisionSeams({ scope: 'refused' });
  const fallback = await selectMechanism(resolveCreateOptions({ guard: false }), systemClock, refused.seams);
  t.is(fallback.containment.mechanism, 'pgroup');
  t.is(
    fallback.fallbackReason,
    `cgroup v2 is not usable: cannot create ${SESSION}/corral-1: EACCES; no delegated systemd scope either: no bus`,
  );
  t.is(fallback.cgroupOrigin, undefined);

  const strict = await t.throwsAsync(
    selectMechanism(
      resolveCreateOptions({ mechanism: 'cgroup', guard: false }),
      systemClock,
      decisionSeams({ scope: 'refused' }).seams,
    ),
  );
  t.like(strict, { code: 'ECGROUP_UNAVAILABLE', errnoCode: 'EACCES' });
  t.regex(strict!.message, /no delegated systemd scope either: no bus/);
  const limited = await t.throwsAsync(
    selectMechanism(
      resolveCreateOptions({ guard: false, limits: { pids: 5 } }),
      systemClock,
      decisionSeams({ scope: 'refused' }).seams,
    ),
  );
  t.like(limited, { code: 'ELIMIT_UNENFORCEABLE' });
  t.regex(limited!.message, /^limits cannot be enforced: .*no delegated systemd scope either/);

  const denied = await selectMechanism(
    resolveCreateOptions({ guard: false }),
    systemClock,
    decisionSeams({ scope: 'ok', denyInScope: true }).seams,
  );
  t.regex(denied.fallbackReason!, /EACCES \(in the delegated scope corral-415-0a1b2c3d\.scope systemd gave\)$/);
});

test("'auto' asks systemd only where a scope could help, and not when told not to", async (t) => {
  const optedOut = decisionSeams({ scope: 'ok' });
  const off = await selectMechanism(
    resolveCreateOptions({ guard: false, systemdScope: false }),
    systemClock,
    optedOut.seams,
  );
  t.deepEqual(optedOut.asked, [false]);
  t.regex(off.fallbackReason!, /; no delegated systemd scope either: turned off$/);

  const parent = decisionSeams({ scope: 'ok' });
  const given = await selectMechanism(
    resolveCreateOptions({ guard: false, cgroupParent: '/sys/fs/cgroup/x' }),
    systemClock,
    parent.seams,
  );
  t.deepEqual(parent.asked, [], 'a cgroupParent says where the groups go');
  t.is(given.fallbackReason, `cgroup v2 is not usable: cannot create ${SESSION}/corral-1: EACCES`);

  const readOnly = decisionSeams({ scope: 'ok', readOnly: true });
  await selectMechanism(resolveCreateOptions({ guard: false }), systemClock, readOnly.seams);
  t.deepEqual(readOnly.asked, [], 'a read-only cgroup2 mount stays read-only in any scope');

  const other = decisionSeams({ scope: 'ok', otherError: true });
  await t.throwsAsync(selectMechanism(resolveCreateOptions({ guard: false }), systemClock, other.seams), {
    code: 'ELIMIT_UNENFORCEABLE',
  });
  t.deepEqual(other.asked, [], 'only "no usable cgroup" leads to systemd');

  t.is(resolveCreateOptions({}).systemdScope, !optedOutByEnv(), 'the default follows CORRAL_NO_SYSTEMD_SCOPE');
  t.throws(() => resolveCreateOptions({ systemdScope: 'no' }), { code: 'EINVALID_OPTION' });
});

test('the origin of a group directory', (t) => {
  const scope = { unit: UNIT, manager: 'user' as const, bus: BUS.address, cgroup: SCOPE_CGROUP };
  t.deepEqual(originOf(`/sys/fs/cgroup${SCOPE_CGROUP}/corral-1`, undefined, scope), {
    kind: 'systemd-scope',
    unit: UNIT,
    manager: 'user',
    bus: BUS.address,
  });
  t.deepEqual(
    originOf(`/sys/fs/cgroup${SCOPE_CGROUP}/corral-1`, `/sys/fs/cgroup${SCOPE_CGROUP}`, scope).kind,
    'systemd-scope',
    "prepareCgroupForLimits()'s parent in the scope",
  );
  t.deepEqual(originOf('/sys/fs/cgroup/x/corral-1', undefined, scope), { kind: 'own-cgroup' });
  t.deepEqual(originOf('/sys/fs/cgroup/x/corral-1', '/sys/fs/cgroup/x', undefined), { kind: 'cgroup-parent' });
});

test('the real busctl, against a bus that is not there: its reason, not a hang', async (t) => {
  // The bound is generous: the verdict is busctl's own answer, not how fast a loaded TCG guest starts it.
  const bound = 60_000;
  const outcome = await runBusctl(
    jobStateArguments(
      { manager: 'user', address: 'unix:path=/nonexistent/corral-test-bus', socket: '/nonexistent/corral-test-bus' },
      '/org/x',
      bound,
    ),
    bound,
  );
  if (!outcome.ok && /not installed/.test(outcome.message)) {
    t.pass('no busctl on this host');
    return;
  }
  t.deepEqual(outcome, { ok: false, message: 'Failed to connect to bus: No such file or directory' });
});
