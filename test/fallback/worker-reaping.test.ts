/**
 * The reaping path of corral run inside a Worker thread alone (issue 29),
 * as uid 65534 (the fallback): test/fixtures/worker-reaping.ts has its
 * Worker run short run() jobs whose trees leave dying setsid,
 * double-forked and plain orphans, while the main thread, which never loads
 * corral, runs plain children with exit codes of their own. The orphans are
 * adopted by the main thread, and a Worker gets no SIGCHLD event.
 *
 * KNOWN FAILURES on main (e0bb8f6), kept as `test.failing` so the suite
 * stays green while they show: flip each to `test` once fixed (the fallback
 * runtime of issue 29 owns both fixes).
 * 1. Zombies stay: an orphan that dies after its group closed is reaped by
 *    nobody in a Worker (no SIGCHLD there; the Worker reaps only at a later
 *    group's walk or release). Seen on this host: 3, 10 and 20 groups left
 *    3, 9 and 18 zombies.
 * 2. The process dies of SIGSEGV when the Worker ends (terminate() or its
 *    natural end): ffi-rs (napi-rs) loaded in a Worker only and never in the
 *    main thread crashes at that thread's teardown, on Node 20, 22 and 26
 *    (napi-rs/package-template#308 is the same crash; loading ffi-rs in the
 *    main thread too avoids it).
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

// KNOWN FAILURE 1 (see the top of the file): flip to `test` once the Worker's reaping is fixed.
test.failing("corral in a Worker: orphans of closed groups leave no zombie, and the main thread's plain children keep their exit codes", async (t) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const { result } = await sharedOutcome(t);
  t.log(
    `${result.groups} groups in the Worker, ${result.plainChildren} plain children in the main thread; zombies left: ${result.zombiesLeft.length}`,
  );
  t.is(result.mechanism, 'pgroup');
  t.is(result.groups, GROUPS);
  t.deepEqual(result.failedJobs, [], "every job's forks succeeded and it exited 0");
  t.deepEqual(result.wrongCodes, [], 'every plain child of the main thread got its own exit code');
  t.deepEqual(result.zombiesLeft, [], 'no zombie left once the groups closed, the Worker alive and idle');
});

// KNOWN FAILURE 2 (see the top of the file): flip to `test` once ffi-rs no longer crashes a Worker's end.
test.failing('a process whose Worker used corral exits normally when that Worker ends', async (t) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const { ended } = await sharedOutcome(t);
  t.is(ended, 0, 'the fixture exited 0 (a signal name here: it crashed)');
});
