/**
 * The reaping path of corral inside a Worker thread alone (issue 29), as
 * uid 65534 (the fallback): test/fixtures/worker-reaping.ts has its Worker
 * run short run() jobs whose trees leave dying setsid, double-forked and
 * plain orphans, while the main thread, which never loads corral, runs plain
 * children with exit codes of their own. The orphans are adopted by the
 * main thread, and a Worker gets no SIGCHLD event: the runtime looks on its
 * clock after the groups closed, and reaps what it can attribute (a member
 * a walk saw, a zombie in one of the closed groups' sessions). A `setsid`
 * orphan that died before any walk saw it leads a session of its own: a
 * Worker cannot tell it from a detached child of the main thread, whose exit
 * status libuv must get, so it is left (docs/fallback.md says so). Both
 * verdicts also guard the process: it must end normally when the Worker
 * that loaded ffi-rs ends (keepLoaded() in src/libc/libc.ts).
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { asNobody, FIXTURE_TIMEOUT_MS, REPO } from '../cgroup/cgroup-kit.js';
import type { WorkerReapingResult } from '../fixtures/worker-reaping.js';
import { nodeArgs } from '../helpers/node-script.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor, waitUntilGone, type Tag } from '../helpers/tagged-processes.js';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/worker-reaping.ts', import.meta.url);
const GROUPS = 20;
/** The fixture's own run, and its wait for the zombies to go when they do not. */
const TIMEOUT_MS = 2 * FIXTURE_TIMEOUT_MS + PATIENCE_MS;
const asRoot = process.getuid?.() === 0;

interface Outcome {
  result: WorkerReapingResult;
  /** How the fixture's process ended: its exit code, or the signal that ended it. */
  ended: number | string;
}

/** The fixture as uid 65534 (or forced 'pgroup' where setpriv is out of reach); its JSON line even when it crashed after printing it. */
async function workerFixture(t: ExecutionContext, tag: Tag): Promise<Outcome> {
  const args = ['--groups', String(GROUPS)];
  let command: { file: string; args: string[]; env: NodeJS.ProcessEnv; cwd: string };
  if (asRoot) {
    const nobody = asNobody(t, FIXTURE);
    command = { file: nobody.file, args: [...nobody.args, ...args], env: tag.env, cwd: nobody.cwd };
  } else {
    const env = { ...tag.env, CORRAL_FIXTURE_MECHANISM: 'pgroup' };
    command = { file: process.execPath, args: nodeArgs(FIXTURE, ...args), env, cwd: REPO };
  }
  let stdout: string;
  let ended: number | string = 0;
  try {
    ({ stdout } = await run(command.file, command.args, {
      env: command.env,
      cwd: command.cwd,
      timeout: TIMEOUT_MS,
      maxBuffer: 1 << 24,
    }));
  } catch (error) {
    const failed = error as { stdout?: string; code?: number | string; signal?: string | null };
    stdout = failed.stdout ?? '';
    ended = failed.signal ?? failed.code ?? 'unknown';
  }
  t.deepEqual(await waitUntilGone(tag.tag), [], 'nothing of the fixture is left alive');
  assertNoSurvivors(t, tag);
  const line = stdout.trim().split('\n').pop() ?? '';
  return { result: JSON.parse(line) as WorkerReapingResult, ended };
}

/** One run of the fixture serves both verdicts (its failing form waits out the whole patience). */
let outcome: Promise<Outcome> | undefined;
const sharedOutcome = (t: ExecutionContext): Promise<Outcome> => {
  outcome ??= workerFixture(t, tagFor(t));
  return outcome;
};

test("corral in a Worker: orphans of closed groups leave no zombie it can attribute, and the main thread's plain children keep their exit codes", async (t) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const { result } = await sharedOutcome(t);
  t.log(
    `${result.groups} groups in the Worker, ${result.plainChildren} plain children in the main thread; zombies left: ${result.zombiesLeft.length}`,
  );
  t.is(result.mechanism, 'pgroup');
  t.is(result.groups, GROUPS);
  t.deepEqual(result.failedJobs, [], "every job's forks succeeded and it exited 0");
  t.deepEqual(result.wrongCodes, [], 'every plain child of the main thread got its own exit code');
  t.deepEqual(
    result.zombiesLeft.filter((zombie) => zombie.pid !== zombie.sid),
    [],
    'no zombie the Worker can attribute is left once the groups closed, the Worker alive and idle',
  );
  t.true(result.zombiesLeft.length <= GROUPS, 'at most the one unseen setsid orphan of each group');
});

test('a process whose Worker used corral exits normally when that Worker ends', async (t) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const { ended } = await sharedOutcome(t);
  t.is(ended, 0, 'the fixture exited 0 (a signal name here: it crashed)');
});
