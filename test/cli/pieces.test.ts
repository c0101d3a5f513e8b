/**
 * The CLI's pure pieces, in process: units, the option parser, failure
 * lines and exit statuses, the summaries. (No process is started here.)
 */
import test from 'ava';
import { fakeRunResult } from '../helpers/fake-run-result.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorralError } from '../../src/errors.js';
import { adviceFor } from '../../src/cli/doctor/advice.js';
import { detectContainer } from '../../src/host/container.js';
import { renderDoctor } from '../../src/cli/doctor/doctor-command.js';
import { describeFailure } from '../../src/cli/failure.js';
import { parseFlags } from '../../src/cli/parse-flags.js';
import { exitStatusOf } from '../../src/cli/run/exit-status.js';
import { parseRunCommandLine } from '../../src/cli/run/run-flags.js';
import { jsonSummary, leftoverLines, verboseLine } from '../../src/cli/run/summary.js';
import { parseDuration, parsePositive, parseSize } from '../../src/cli/units.js';
import { UsageError } from '../../src/cli/usage-error.js';
import type { ShutdownReport } from '../../src/driver/graceful.js';
import type { HostContainment } from '../../src/host/host-containment.js';
import type { RunResult } from '../../src/run/run.js';
import { resolveRunOptions } from '../../src/run/run-options.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

test('durations need a unit, except 0', (t) => {
  t.is(parseDuration('250ms', '--x'), 250);
  t.is(parseDuration('2s', '--x'), 2000);
  t.is(parseDuration('1.5m', '--x'), 90_000);
  t.is(parseDuration('1h', '--x'), 3_600_000);
  t.is(parseDuration('0', '--x'), 0);
  // A positive duration is never read as 0 ("no timeout"): below 1 ms it is 1 ms.
  t.is(parseDuration('0.0001ms', '--x'), 1);
  t.is(parseDuration('0.4ms', '--x'), 1);
  t.is(parseDuration('0ms', '--x'), 0);
  for (const bad of ['5', '2 s', '-1s', 's', '1d', '', '1e3ms']) {
    t.throws(() => parseDuration(bad, '--x'), { instanceOf: UsageError }, bad);
  }
});

test('sizes are binary; a bare number is bytes', (t) => {
  t.is(parseSize('512M', '--m'), 512 * 2 ** 20);
  t.is(parseSize('1G', '--m'), 2 ** 30);
  t.is(parseSize('1.5g', '--m'), 1.5 * 2 ** 30);
  t.is(parseSize('64KiB', '--m'), 64 * 1024);
  t.is(parseSize('2T', '--m'), 2 * 2 ** 40);
  t.is(parseSize('4096', '--m'), 4096);
  for (const bad of ['0', '0M', 'lots', '1X', '-1G', ''])
    t.throws(() => parseSize(bad, '--m'), { instanceOf: UsageError }, bad);
});

test('positive numbers, whole where asked', (t) => {
  t.is(parsePositive('0.5', '--cpus'), 0.5);
  t.is(parsePositive('64', '--pids', { integer: true }), 64);
  for (const bad of ['0', '-1', 'x', '', 'Infinity'])
    t.throws(() => parsePositive(bad, '--cpus'), { instanceOf: UsageError }, bad);
  t.throws(() => parsePositive('1.5', '--pids', { integer: true }), { instanceOf: UsageError });
});

test('options end at -- or at the first operand', (t) => {
  const specs = [{ name: 'timeout', value: true }, { name: 'json' }, { name: 'help', short: 'h' }];
  const a = parseFlags(['--timeout=2s', '--json', 'ls', '-la', '--json'], specs, 'run');
  t.is(a.values.get('timeout'), '2s');
  t.true(a.switches.has('json'));
  t.deepEqual(a.operands, ['ls', '-la', '--json']);
  const b = parseFlags(['-h', '--timeout', '1s', '--timeout', '3s', '--', '--json'], specs, 'run');
  t.true(b.switches.has('help'));
  t.is(b.values.get('timeout'), '3s', 'the last one wins');
  t.deepEqual(b.operands, ['--json']);
  t.deepEqual(parseFlags(['-', 'x'], specs, 'run').operands, ['-', 'x']);
  t.throws(() => parseFlags(['-x'], specs, 'run'), { message: 'unknown option -x' });
});

test('the run command line becomes run() options', (t) => {
  const line = parseRunCommandLine([
    '--timeout',
    '1m',
    '--grace',
    '500ms',
    '--signal',
    'hup',
    '--no-escalate',
    '--leftovers',
    'wait',
    '--mechanism',
    'cgroup',
    '--memory',
    '1G',
    '--pids',
    '10',
    '--cpus',
    '0.5',
    '--json',
    '--verbose',
    '--',
    'make',
    '-j2',
  ]);
  t.is(line.command, 'make');
  t.deepEqual(line.args, ['-j2']);
  t.true(line.json && line.verbose && !line.help && !line.debug);
  t.deepEqual(line.options, {
    detached: true,
    timeout: 60_000,
    grace: 500,
    killSignal: 'SIGHUP',
    escalate: false,
    leftovers: 'wait',
    mechanism: 'cgroup',
    limits: { memoryBytes: 2 ** 30, pids: 10, cpus: 0.5 },
  });
  t.true(parseRunCommandLine(['--help']).help, '--help needs no command');
  t.is(parseRunCommandLine(['--timeout', '0', 'true']).options.timeout, undefined, 'a timeout of 0 means none');
});

test('failures become one line and a status', (t) => {
  t.deepEqual(describeFailure(new UsageError('bad', 'run')), {
    line: 'corral run: bad (see corral run --help)',
    status: 2,
  });
  t.is(describeFailure(new CorralError('EINVALID_LIMIT', 'no')).status, 2);
  t.deepEqual(describeFailure(new CorralError('EKILL_TIMEOUT', 'stuck')), {
    line: 'corral: stuck [EKILL_TIMEOUT]',
    status: 125,
  });
  const notFound = Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT', path: 'x' });
  t.deepEqual(describeFailure(notFound), { line: 'corral: x: command not found', status: 127 });
  const denied = Object.assign(new Error('spawn ./y EACCES'), { code: 'EACCES', path: './y' });
  t.deepEqual(describeFailure(denied), { line: 'corral: ./y: cannot execute (EACCES)', status: 126 });
  t.deepEqual(describeFailure('odd'), { line: 'corral: odd', status: 125 });
});

function result(overrides: Partial<RunResult>): RunResult {
  return fakeRunResult({ cgroupOrigin: { kind: 'own-cgroup' }, ...overrides });
}

test('exit status: interrupt, then timeout, then the leader', (t) => {
  t.is(exitStatusOf(result({ exitCode: 3 }), undefined), 3);
  t.is(exitStatusOf(result({ exitCode: null, signal: 'SIGKILL' }), undefined), 137);
  t.is(exitStatusOf(result({ exitCode: null, signal: 'SIGTERM', timedOut: true }), undefined), 124);
  t.is(exitStatusOf(result({ exitCode: null, signal: 'SIGTERM', cancelled: true }), 130), 130);
  t.is(exitStatusOf(result({ exitCode: null }), undefined), 125, 'a leader left running has no status to pass on');
  const leaky = result({ exitCode: 0, leftovers: [7] });
  t.is(exitStatusOf(leaky, undefined), 0, 'leftovers alone do not change the status');
  t.is(exitStatusOf(leaky, undefined, { failOnLeftovers: true }), 123);
  t.is(
    exitStatusOf(result({ exitCode: 1, leftovers: [7] }), undefined, { failOnLeftovers: true }),
    123,
    'a leak fails even a failing suite the same way',
  );
  t.is(
    exitStatusOf(result({ exitCode: 0 }), undefined, { failOnLeftovers: true }),
    0,
    'no leftovers: the command status stands',
  );
  t.is(exitStatusOf(result({ exitCode: 3 }), undefined, { failOnLeftovers: true }), 3);
  t.is(
    exitStatusOf(result({ exitCode: null, timedOut: true, leftovers: [7] }), undefined, { failOnLeftovers: true }),
    124,
    'a timeout comes first',
  );
});

test('summaries say what happened', (t) => {
  const report: ShutdownReport = {
    signal: 'SIGTERM',
    membersBefore: 3,
    membersAfter: 0,
    drainedWithinGrace: false,
    escalated: true,
    stoodDown: false,
    survivors: [],
    elapsedMs: 2000,
    phases: [
      {
        signal: 'SIGTERM',
        timeout: 2000,
        signalled: 3,
        deliveryFailed: true,
        drained: false,
        elapsedMs: 2000,
        error: new CorralError('ESIGNAL_FAILED', 'x'),
      },
    ],
    errors: [new CorralError('ESIGNAL_FAILED', 'x')],
  };
  const summary = {
    result: result({ exitCode: null, signal: 'SIGKILL', timedOut: true, report }),
    status: 124,
    interruptedBy: undefined,
    forced: false,
  };
  t.is(
    verboseLine(summary),
    'corral: cgroup, stopped 3 processes (timeout), escalated to SIGKILL after SIGTERM, 1.500 s, exit 124',
  );
  const json = JSON.parse(JSON.stringify(jsonSummary(summary))) as Record<string, any>;
  t.is(json.stopped, 3);
  t.deepEqual(json.report.errors, [{ code: 'ESIGNAL_FAILED', message: 'x' }]);
  t.deepEqual(json.report.phases[0].error, { code: 'ESIGNAL_FAILED', message: 'x' });
  const kept = verboseLine({
    result: result({ leftovers: [5, 6], mechanism: 'pgroup', fallbackReason: 'no v2' }),
    status: 0,
    interruptedBy: undefined,
    forced: false,
  });
  t.is(kept, 'corral: pgroup (no cgroup: no v2), nothing to stop, 2 leftover(s) kept, 1.500 s, exit 0');
  const named = [
    { pid: 5, command: 'sleep 300' },
    { pid: 6, command: '' },
  ];
  t.deepEqual(leftoverLines(result({ leftovers: [5, 6], leftoverProcesses: named })), [
    'corral: left behind 5 (kept running): sleep 300',
    'corral: left behind 6 (kept running): (gone before it could be read)',
  ]);
  t.deepEqual(leftoverLines(result({ leftovers: [5], leftoverProcesses: [named[0]!], report })), [
    'corral: left behind 5: sleep 300',
  ]);
  const forced = verboseLine({
    result: result({ cancelled: true, report: { ...report, escalated: false } }),
    status: 130,
    interruptedBy: 'SIGINT',
    forced: true,
  });
  t.is(forced, 'corral: cgroup, stopped 3 processes (SIGINT), killed at once (second signal), 1.500 s, exit 130');
});

function host(overrides: Partial<HostContainment>): HostContainment {
  return {
    mechanism: 'cgroup',
    layout: 'unified',
    cgroup2Mount: '/sys/fs/cgroup',
    cgroup2ReadOnly: false,
    ownCgroup: '/user.slice/x.scope',
    ownCgroupPath: '/sys/fs/cgroup/user.slice/x.scope',
    groupParent: '/sys/fs/cgroup/user.slice/x.scope',
    writable: true,
    cgroupKill: true,
    cgroupFreeze: true,
    featuresSeenIn: '/sys/fs/cgroup/user.slice/x.scope',
    controllers: { available: ['cpu', 'memory', 'pids'], enabledForChildren: [] },
    limits: { enforceable: false, enforceableAfterPrepare: true },
    uid: 1000,
    ...overrides,
  };
}

test('doctor advises the one fix that fits what it found', (t) => {
  t.is(adviceFor(host({})), undefined, 'all is well: nothing to fix');
  t.regex(
    adviceFor(host({ cgroup2Mount: undefined, layout: 'legacy', writable: false }))!,
    /only cgroup v1: boot with systemd\.unified_cgroup_hierarchy=1/,
  );
  t.regex(adviceFor(host({ cgroup2Mount: undefined, layout: 'none', writable: false }))!, /mount -t cgroup2/);
  t.regex(adviceFor(host({ cgroup2ReadOnly: true, writable: false }))!, /read-only/);
  t.is(
    adviceFor(host({ writable: false })),
    'run corral in a delegated cgroup of your own: systemd-run --user --scope -p Delegate=yes corral run ...',
  );
  t.regex(
    adviceFor(host({ writable: false, uid: 0 }))!,
    /^\/sys\/fs\/cgroup\/user\.slice\/x\.scope is not writable: .*systemd-run --scope -p Delegate=yes/,
  );
  const noControllers = { enforceable: false, enforceableAfterPrepare: false, reason: 'absent' };
  t.regex(
    adviceFor(host({ layout: 'hybrid', limits: noControllers }))!,
    /hybrid host keeps the memory, pids and cpu controllers in cgroup v1/,
  );
  t.regex(adviceFor(host({ limits: noControllers }))!, /systemd-run --user --scope -p Delegate=yes/);
  // Inside a container: no reboot, mount or systemd-run advice, but what the fallback holds and what the owner must grant.
  const docker = adviceFor(host({ cgroup2ReadOnly: true, writable: false }), {
    runtime: 'docker',
    evidence: '/.dockerenv exists',
  })!;
  t.regex(
    docker,
    /^inside a docker container \(\/\.dockerenv exists\), corral uses its fallback: .*subreaper.*docker run --cgroupns=private/,
  );
  t.notRegex(docker, /systemd-run|systemd\.unified|mount -t/);
  t.regex(
    adviceFor(host({ writable: false }), { runtime: 'kubernetes', evidence: 'cgroup path /kubepods/x' })!,
    /privileged pod/,
  );
  t.is(
    adviceFor(host({}), { runtime: 'docker', evidence: '/.dockerenv exists' }),
    undefined,
    'a container with a writable cgroup needs no fix',
  );
});

test('a container is recognised by its marker files or its cgroup path', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'corral-container-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const selfCgroup = join(root, 'cgroup');
  const sources = { root, selfCgroup };
  writeFileSync(selfCgroup, '0::/user.slice/user-0.slice/session-1.scope\n');
  t.is(detectContainer(sources), undefined);
  for (const [path, runtime] of [
    ['0::/kubepods/besteffort/pod1/abc\n', 'kubernetes'],
    ['12:pids:/docker/0123abcd\n0::/\n', 'docker'],
    ['0::/machine.slice/libpod-abc.scope\n', 'podman'],
    ['0::/system.slice/containerd.service/x\n', 'containerd'],
  ] as const) {
    writeFileSync(selfCgroup, path);
    t.is(detectContainer(sources)?.runtime, runtime, path);
  }
  writeFileSync(selfCgroup, '0::/\n');
  mkdirSync(join(root, 'run'));
  writeFileSync(join(root, 'run/.containerenv'), '');
  t.deepEqual(detectContainer(sources), { runtime: 'podman', evidence: '/run/.containerenv exists' });
  writeFileSync(join(root, '.dockerenv'), '');
  t.is(detectContainer(sources)?.runtime, 'docker');
  t.is(detectContainer({ root, selfCgroup: join(root, 'missing') })?.runtime, 'docker');
  rmSync(join(root, '.dockerenv'));
  rmSync(join(root, 'run/.containerenv'));
  t.is(detectContainer({ root, selfCgroup: join(root, 'missing') }), undefined);
});

const SYSTEM = {
  distro: 'Debian GNU/Linux',
  release: '12 (bookworm)',
  kernel: '6.1.0',
  arch: 'x64',
  cpus: 2,
  node: 'v20.0.0',
};

test('doctor renders what it found, and says when the probe disagrees with the prediction', (t) => {
  const fine = renderDoctor({
    system: SYSTEM,
    host: host({}),
    auto: { mechanism: 'cgroup', reason: undefined },
    container: null,
    fix: null,
  });
  t.regex(fine, /^container +none seen$/m);
  t.regex(fine, /^'auto' gets +cgroup, confirmed by making a group$/m);
  t.regex(fine, /^limits +available: corral run moves itself into a leaf cgroup/m);
  t.regex(fine, /^node +v20\.0\.0, running as uid 1000$/m);
  t.notRegex(fine, /^fix/m);
  const odd = renderDoctor({
    system: SYSTEM,
    host: host({
      cgroup2Mount: undefined,
      layout: 'none',
      mechanism: 'pgroup',
      reason: 'no cgroup2',
      writable: false,
      uid: 0,
      limits: { enforceable: true, enforceableAfterPrepare: true },
    }),
    auto: { mechanism: 'none', reason: 'broken' },
    container: { runtime: 'docker', evidence: '/.dockerenv exists' },
    fix: 'do this',
  });
  t.regex(odd, /^container +docker \(\/\.dockerenv exists\)$/m);
  t.regex(odd, /^cgroup2 +not mounted \(layout: none\)$/m);
  t.regex(odd, /^'auto' gets +pgroup \(no cgroup2\), but making a group got none: broken$/m);
  t.regex(odd, /^limits +available \(--memory, --pids, --cpus\)$/m);
  t.regex(odd, /^fix +do this$/m);
});

test('--no-systemd-scope reaches the group options', (t) => {
  const line = parseRunCommandLine(['--no-systemd-scope', '--', 'true']);
  t.false(line.options.systemdScope);
  t.false(resolveRunOptions(line.options).group.systemdScope);
  t.is(parseRunCommandLine(['--', 'true']).options.systemdScope, undefined);
});

test('doctor and run summaries say when the cgroup comes from a systemd scope', (t) => {
  const predicted = host({
    writable: false,
    cgroupOrigin: { kind: 'systemd-scope', manager: 'user', bus: 'unix:path=/run/user/1000/bus' },
  });
  t.is(adviceFor(predicted), undefined, 'a manager will give the scope: nothing to wrap');
  const unit = 'corral-7-0a1b2c3d.scope';
  const confirmed = renderDoctor({
    system: SYSTEM,
    host: predicted,
    auto: { mechanism: 'cgroup', reason: undefined, cgroupOrigin: { kind: 'systemd-scope', unit, manager: 'user' } },
    container: null,
    fix: null,
  });
  t.regex(
    confirmed,
    /^groups go in +a new delegated scope of the systemd user manager \(unix:path=\/run\/user\/1000\/bus\), since \/sys\/fs\/cgroup\/user\.slice\/x\.scope is not writable$/m,
  );
  t.regex(
    confirmed,
    /^'auto' gets +cgroup, in a delegated scope of the systemd user manager it will move this process into, confirmed by making a group in corral-7-0a1b2c3d\.scope$/m,
  );
  const unneeded = renderDoctor({
    system: SYSTEM,
    host: predicted,
    auto: { mechanism: 'cgroup', reason: undefined, cgroupOrigin: { kind: 'own-cgroup' } },
    container: null,
    fix: null,
  });
  t.regex(unneeded, /but making a group did not need a systemd scope$/m);
  const inside = renderDoctor({
    system: SYSTEM,
    host: host({ cgroupOrigin: { kind: 'systemd-scope', unit, manager: 'user' } }),
    auto: { mechanism: 'cgroup', reason: undefined },
    container: null,
    fix: null,
  });
  t.regex(
    inside,
    /^groups go in +\/sys\/fs\/cgroup\/user\.slice\/x\.scope \(writable\), corral's systemd scope corral-7-0a1b2c3d\.scope$/m,
  );
  const line = verboseLine({
    result: result({ cgroupOrigin: { kind: 'systemd-scope', unit, manager: 'user' } }),
    status: 0,
    interruptedBy: undefined,
    forced: false,
  });
  t.regex(line, /^corral: cgroup \(in systemd user scope corral-7-0a1b2c3d\.scope\), nothing to stop/);
  t.like(jsonSummary({ result: result({}), status: 0, interruptedBy: undefined, forced: false }), {
    cgroupOrigin: { kind: 'own-cgroup' },
  });
});
