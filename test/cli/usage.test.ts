/**
 * The command line itself, through a real corral process: usage errors are
 * one line and exit 2, help and version go to stdout, doctor --json agrees
 * with hostContainment() read in this process.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { hostContainment } from '../../src/host/host-containment.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { corral } from './corral-cli.js';

// Serial, as in run-command.test.ts: many Node start-ups at once overload a 2-core machine.
const cliTest = test.serial;

const USAGE_ERRORS: Array<[string[], RegExp]> = [
  [['run', '--bogus', '--', 'true'], /^corral run: unknown option --bogus \(see corral run --help\)\n$/],
  [['run', '--timeout', '5', '--', 'true'], /^corral run: --timeout: bad duration "5" \(add a unit: 5s or 5ms\)/],
  [['run', '--grace', 'soon', '--', 'true'], /^corral run: --grace: bad duration "soon"/],
  [['run', '--timeout'], /^corral run: option --timeout needs a value/],
  [['run'], /^corral run: missing command/],
  [['run', '--'], /^corral run: missing command/],
  [
    ['run', '--leftovers', 'maybe', '--', 'true'],
    /^corral run: --leftovers must be one of kill, wait, keep; got "maybe"/,
  ],
  [['run', '--mechanism', 'jail', '--', 'true'], /^corral run: --mechanism must be one of auto, cgroup, pgroup/],
  [['run', '--signal', 'SIGFOO', '--', 'true'], /^corral run: --signal: unknown signal "SIGFOO"/],
  [['run', '--memory', 'lots', '--', 'true'], /^corral run: --memory: bad size "lots"/],
  [['run', '--pids', '1.5', '--', 'true'], /^corral run: --pids: expected a positive whole number, got "1.5"/],
  [['run', '--json=yes', '--', 'true'], /^corral run: option --json takes no value/],
  [
    ['run', '--user', 'corral-no-such-user:corral-no-such-group', '--', 'true'],
    /^corral run: --user corral-no-such-user:corral-no-such-group: no such user "corral-no-such-user" and no such group "corral-no-such-group" in \/etc\/passwd \/ \/etc\/group \(see corral run --help\)\n$/,
  ],
  [['run', '--user', 'nobody:', '--', 'true'], /^corral run: --user takes USER or USER:GROUP/],
  [['frobnicate'], /^corral: unknown command "frobnicate"; commands: run, doctor, sweep/],
  [['--bogus'], /^corral: unknown option "--bogus"/],
  [['doctor', 'extra'], /^corral doctor: unexpected argument "extra"/],
  [['help', 'frobnicate'], /^corral: no help for unknown command "frobnicate"/],
];

for (const [args, message] of USAGE_ERRORS) {
  cliTest(`corral ${args.join(' ')}: exit 2 and one line`, async (t) => {
    const tag = tagFor(t);
    const outcome = await corral(args, tag);
    t.is(outcome.status, 2);
    t.is(outcome.stdout, '');
    t.is(outcome.stderr.split('\n').length, 2, 'exactly one line');
    t.regex(outcome.stderr, message);
    assertNoSurvivors(t, tag);
  });
}

cliTest('corral with no command prints the help on stderr and exits 2', async (t) => {
  const tag = tagFor(t);
  const outcome = await corral([], tag);
  t.is(outcome.status, 2);
  t.regex(outcome.stderr, /^Usage: corral <command>/);
});

cliTest('--help, run --help, doctor --help, sweep --help, help run and --version', async (t) => {
  const tag = tagFor(t);
  const main = await corral(['--help'], tag);
  t.is(main.status, 0);
  t.regex(main.stdout, /^Usage: corral <command> \[options\]/);
  for (const name of ['run', 'doctor', 'sweep']) t.regex(main.stdout, new RegExp(`^  ${name} `, 'm'));
  const run = await corral(['run', '--help'], tag);
  t.is(run.status, 0);
  t.regex(run.stdout, /^Usage: corral run \[options\] \[--\] command \[args\.\.\.\]/);
  t.regex(run.stdout, /--leftovers POLICY/);
  t.is((await corral(['help', 'run'], tag)).stdout, run.stdout);
  t.is((await corral(['run', '-h'], tag)).stdout, run.stdout);
  t.regex((await corral(['doctor', '--help'], tag)).stdout, /^Usage: corral doctor \[--json\]/);
  t.regex((await corral(['sweep', '--help'], tag)).stdout, /^Usage: corral sweep/);
  const version = await corral(['--version'], tag);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  t.is(version.stdout, `${pkg.version}\n`);
  assertNoSurvivors(t, tag);
});

cliTest('options after the command belong to the command', async (t) => {
  const tag = tagFor(t);
  const outcome = await corral(['run', '--mechanism', 'pgroup', 'sh', '-c', 'echo "$0 $1"', '--timeout', 'x'], tag);
  t.is(outcome.status, 0);
  t.is(outcome.stdout, '--timeout x\n');
  assertNoSurvivors(t, tag);
});

cliTest('a failure of corral itself is one line and 125; --debug adds the stack', async (t) => {
  const tag = tagFor(t);
  const args = ['run', '--mechanism', 'pgroup', '--memory', '1G', '--', 'true'];
  const plain = await corral(args, tag);
  t.is(plain.status, 125);
  t.regex(plain.stderr, /^corral: limits need the cgroup mechanism.* \[ELIMIT_UNENFORCEABLE\]\n$/);
  const debug = await corral(['--debug', ...args], tag);
  t.is(debug.status, 125);
  t.regex(debug.stderr, /\n {4}at /, 'the stack is shown');
  assertNoSurvivors(t, tag);
});

cliTest('doctor --json parses and agrees with hostContainment()', async (t) => {
  const tag = tagFor(t);
  const outcome = await corral(['doctor', '--json'], tag);
  t.is(outcome.status, 0);
  const report = JSON.parse(outcome.stdout) as Record<string, any>;
  const here = hostContainment();
  // featuresSeenIn names whichever group directory came first at that moment.
  const { featuresSeenIn: _seen, ...expected } = here;
  const { featuresSeenIn: _reported, ...reported } = report.host;
  t.deepEqual(reported, expected);
  t.is(report.auto.mechanism, here.mechanism, 'making a group gets what hostContainment() predicts');
  t.is(report.system.kernel, release());
  t.is(report.system.node, process.version);
  t.is(report.fix === null, here.writable && (here.limits.enforceable || here.limits.enforceableAfterPrepare));
  const text = await corral(['doctor'], tag);
  t.is(text.status, 0);
  t.regex(text.stdout, new RegExp(`^'auto' gets +${here.mechanism}`, 'm'));
  t.regex(text.stdout, /^cgroup2 /m);
  assertNoSurvivors(t, tag);
});

cliTest('sweep --dry-run --json reports without touching anything', async (t) => {
  const tag = tagFor(t);
  const outcome = await corral(['sweep', '--dry-run', '--json'], tag);
  t.is(outcome.status, 0);
  const report = JSON.parse(outcome.stdout) as {
    root: string | undefined;
    groups: Array<{ action: string }>;
    removed: number;
  };
  t.is(report.root, hostContainment().cgroup2Mount);
  t.is(report.removed, 0, 'a dry run removes nothing');
  t.true(report.groups.every((g) => g.action !== 'removed'));
  const text = await corral(['sweep', '--dry-run'], tag);
  t.is(text.status, 0);
  t.regex(text.stdout, /group\(s\) removed/);
  assertNoSurvivors(t, tag);
});

// Where limits are possible, `corral run --memory` would move this test
// runner's whole cgroup into a leaf (prepareCgroupForLimits): the cgroup
// tests cover that; here only the refusal is tested, where it applies.
const limitsPossible = hostContainment().limits.enforceableAfterPrepare;
(limitsPossible ? cliTest.skip : cliTest)(
  'limits the host cannot enforce are refused before anything runs: 125',
  async (t) => {
    const tag = tagFor(t);
    const outcome = await corral(['run', '--memory', '64M', '--', 'sh', '-c', 'sleep 1000'], tag);
    t.is(outcome.status, 125);
    t.regex(outcome.stderr, /^corral: limits cannot be enforced: .*\[ELIMIT_UNENFORCEABLE\]\n$/);
    assertNoSurvivors(t, tag);
  },
);
