/**
 * The fallback keeps no zombie (issue 29): test/fixtures/zombie-soak.ts runs
 * 500 short run() jobs whose trees leave dying setsid, double-forked and
 * plain orphans, beside plain children of the application (main thread and
 * a Worker) that leave the same. Every job's forks succeed, every plain
 * child gets its own exit code, the zombies at any sample stay within a
 * bound set by the trees in flight (test/fixtures/zombie-soak.ts,
 * zombieBound: five per job lane, ten per plain-child thread, whatever the
 * machine's speed; a leak grows with the jobs instead), every zombie
 * sampled after a job is gone a job later (none piles up), and none is
 * left at the end. Two
 * settings: as uid 65534 on this host (or forced 'pgroup' where setpriv is
 * out of reach), and as root in the test image's Docker container with
 * `--pids-limit 128`, where a leak of zombies soon makes forks fail. The
 * 10,000-job form, with the RSS check, is in `npm run stress`.
 * Memory is logged here, not judged: after a full collection the RSS of
 * 500 jobs still swings by 5 to 15% from one tenth to the next (the
 * allocator's arenas, the heap's sizing), more than the 10% the issue
 * allows, and 500 jobs of any plausible per-group leak stay inside that
 * swing. Only the 10,000 jobs of the stress form can tell.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { asNobody, FIXTURE_TIMEOUT_MS, REPO } from '../cgroup/cgroup-kit.js';
import type { SoakResult } from '../fixtures/zombie-soak.js';
import { dockerTest, DOCKER_IMAGE } from '../helpers/docker-test.js';
import { nodeArgs, nodeArgsInRepo } from '../helpers/node-script.js';
import { assertNoSurvivors, tagFor, TAG_VARIABLE, waitUntilGone } from '../helpers/tagged-processes.js';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/zombie-soak.ts', import.meta.url);
const JOBS = 500;
const CONCURRENCY = 4;
const TIMEOUT_MS = 4 * FIXTURE_TIMEOUT_MS;
const asRoot = process.getuid?.() === 0;

function assertNoZombie(t: ExecutionContext, result: SoakResult): void {
  t.log(
    `${result.jobs} jobs, ${result.mainChildren} + ${result.workerChildren} plain children; zombies at most ${result.maxZombies} at one sample (bound ${result.zombieBound}); after a full GC by tenths: RSS ${result.rssMb.join(' ')} MiB, heap ${result.heapMb.join(' ')} MiB`,
  );
  t.is(result.mechanism, 'pgroup');
  t.is(result.jobs, JOBS);
  t.deepEqual(result.failedJobs, [], "every job's forks succeeded and it exited 0");
  t.deepEqual(result.wrongCodes, [], 'every plain child, main thread and Worker, got its own exit code');
  t.true(
    result.maxZombies <= result.zombieBound,
    `at most ${result.zombieBound} zombies at any sample (a handful per tree in flight), saw ${result.maxZombies}`,
  );
  t.deepEqual(result.lingering, [], 'every zombie was reaped within a job of its death, none piled up');
  t.deepEqual(result.finalZombies, [], 'no zombie left at the end');
}

async function soak(file: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO): Promise<SoakResult> {
  const { stdout } = await run(file, args, { env, cwd, timeout: TIMEOUT_MS, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as SoakResult;
}

const soakArgs = ['--jobs', String(JOBS), '--concurrency', String(CONCURRENCY)];

test('as an unprivileged user: 500 jobs and their orphans leave no zombie, and every fork and exit code holds', async (t) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const tag = tagFor(t);
  let result: SoakResult;
  if (asRoot) {
    const nobody = asNobody(t, FIXTURE);
    result = await soak(nobody.file, [...nobody.args, ...soakArgs], tag.env, nobody.cwd);
  } else {
    result = await soak(process.execPath, nodeArgs(FIXTURE, ...soakArgs), {
      ...tag.env,
      CORRAL_FIXTURE_MECHANISM: 'pgroup',
    });
  }
  assertNoZombie(t, result);
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});

const title =
  'in a Docker container with --pids-limit 128: 500 jobs and their orphans leave no zombie, and no fork fails';
const dockerBody = async (t: ExecutionContext) => {
  t.timeout(TIMEOUT_MS + 30_000);
  const tag = tagFor(t);
  const name = `corral-zombie-soak-${process.pid}`;
  t.teardown(async () => {
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  });
  const { loader, relative } = nodeArgsInRepo(FIXTURE);
  // A shell is the container's PID 1 (as `docker run image npm test` has npm there); only the soak carries the tag.
  const result = await soak(
    'docker',
    [
      'run',
      '--rm',
      '--name',
      name,
      '--pids-limit',
      '128',
      '-e',
      `${TAG_VARIABLE}=${tag.tag}`,
      '-v',
      `${REPO}:/corral:ro`,
      '-v',
      `${process.execPath}:/usr/local/bin/node:ro`,
      '-w',
      '/corral',
      DOCKER_IMAGE,
      'sh',
      '-c',
      'node "$@"; echo',
      'sh',
      ...loader,
      `/corral/${relative}`,
      ...soakArgs,
    ],
    process.env,
  );
  assertNoZombie(t, result);
  assertNoSurvivors(t, tag);
};
dockerTest(title, dockerBody);
