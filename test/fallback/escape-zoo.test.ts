/**
 * The fallback (no writable cgroup) against the escape zoo, forker included,
 * in the two settings where users meet it: as an unprivileged user without
 * a delegated cgroup (uid 65534), and as root with cgroup2 mounted
 * read-only (a container: a private mount namespace, remount,bind,ro of
 * that one mount). test/fixtures/fallback-zoo.ts runs every scenario in one
 * Node process (cheap for the guest's budget) and reports what survived:
 * ProcessGroup shutdown/kill/close, two groups side by side, run(),
 * `corral run` (leftovers and --timeout), plain child_process exit codes
 * while adopted orphans die, and the supervisor's SIGKILL.
 * Where the test itself runs unprivileged (the guest's delegated user),
 * setpriv is out of reach: the first setting then forces mechanism
 * 'pgroup' as that user, which is the same mechanism the fallback gives.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { hostContainment } from '../../src/index.js';
import { asNobody, FIXTURE_TIMEOUT_MS, REPO } from '../cgroup/cgroup-kit.js';
import { nodeArgs } from '../helpers/node-script.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/fallback-zoo.ts', import.meta.url);
const asRoot = process.getuid?.() === 0;
/** The fixture runs a dozen zoos one after the other: give it several fixture budgets. */
const TIMEOUT_MS = 4 * FIXTURE_TIMEOUT_MS;

interface Survived {
  survivors: number[];
}

interface FixtureResult {
  mechanism: string;
  fallbackReason?: string;
  shutdown: Survived & { seen: number; expected: number; escalated: boolean };
  kill: Survived;
  close: Survived;
  twoGroups: { aSurvivors: number[]; bUntouched: boolean; bSurvivors: number[] };
  runCancel: Survived & { cancelled: boolean };
  runLeftovers: Survived & { exitCode: number | null; leftovers: number };
  'cli-leftovers': Survived & { exitCode: number | null };
  'cli-timeout': Survived & { exitCode: number | null };
  children: Survived & {
    churnedThroughout: boolean;
    mainCodesRight: boolean;
    workerCodesRight: boolean;
    zombies: number[];
  };
  supervisorKill: Survived & { guard: boolean };
  /** ms per part of the fixture. */
  timings: Record<string, number>;
}

function assertContained(t: ExecutionContext, result: FixtureResult): void {
  t.log(
    `where the time went: ${Object.entries(result.timings)
      .map(([part, ms]) => `${part} ${ms} ms`)
      .join(', ')}`,
  );
  t.log(
    `the orphan churn ${result.children.churnedThroughout ? 'outlasted the children' : 'ended before the last child did'}`,
  );
  t.is(result.mechanism, 'pgroup');
  t.is(result.shutdown.seen, result.shutdown.expected, 'members() listed every escapee');
  t.true(result.shutdown.escalated, 'the TERM ignorer and the forker forced an escalation');
  for (const name of [
    'shutdown',
    'kill',
    'close',
    'runCancel',
    'runLeftovers',
    'cli-leftovers',
    'cli-timeout',
    'children',
    'supervisorKill',
  ] as const) {
    t.deepEqual(result[name].survivors, [], `${name}: no survivor`);
  }
  t.deepEqual(result.twoGroups.aSurvivors, [], 'the closed group left nothing');
  t.true(result.twoGroups.bUntouched, "closing one group never touched the other's escapees");
  t.deepEqual(result.twoGroups.bSurvivors, []);
  t.true(result.runCancel.cancelled);
  t.is(result.runLeftovers.exitCode, 0);
  t.true(result.runLeftovers.leftovers > 0, 'the leader left its escapees behind');
  t.is(result['cli-leftovers'].exitCode, 0);
  t.is(result['cli-timeout'].exitCode, 124);
  t.true(result.children.mainCodesRight, 'main-thread children got their exit codes');
  t.true(result.children.workerCodesRight, 'Worker children got their exit codes');
  t.deepEqual(result.children.zombies, [], 'no zombie left with the supervisor');
  t.true(result.supervisorKill.guard);
}

async function runFixture(file: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO): Promise<FixtureResult> {
  const { stdout } = await run(file, args, { env, cwd, timeout: TIMEOUT_MS, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as FixtureResult;
}

test('as an unprivileged user without a writable cgroup: the fallback leaves no survivor anywhere', async (t) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const tag = tagFor(t);
  let result: FixtureResult;
  if (asRoot) {
    const nobody = asNobody(t, FIXTURE);
    result = await runFixture(nobody.file, nobody.args, tag.env, nobody.cwd);
    t.truthy(result.fallbackReason, "'auto' fell back and said why");
  } else {
    result = await runFixture(process.execPath, nodeArgs(FIXTURE), { ...tag.env, CORRAL_FIXTURE_MECHANISM: 'pgroup' });
  }
  assertContained(t, result);
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});

test('as root with cgroup2 mounted read-only (a container): the fallback leaves no survivor anywhere', async (t) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const tag = tagFor(t);
  const mount = hostContainment().cgroup2Mount;
  // No cgroup2 at all (CORRAL_EXPECT_CGROUP=0 hosts): 'auto' falls back by itself.
  const readOnly = mount === undefined ? '' : `mount -o remount,bind,ro '${mount}' && `;
  const wrapper = asRoot ? ['unshare', '-m'] : ['unshare', '-r', '-m'];
  const node = `${readOnly}exec "$0" "$@"`;
  const result = await runFixture(
    wrapper[0]!,
    [...wrapper.slice(1), 'sh', '-c', node, process.execPath, ...nodeArgs(FIXTURE)],
    tag.env,
  );
  t.regex(result.fallbackReason ?? '', mount === undefined ? /./ : /read-only/);
  assertContained(t, result);
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});
