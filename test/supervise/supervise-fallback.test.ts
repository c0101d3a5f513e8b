/**
 * Supervision on the fallback, as users meet it: as an unprivileged user
 * without a writable cgroup (uid 65534, through setpriv; where the test
 * itself is not root, mechanism 'pgroup' is forced instead). The library's
 * supervise() and `corral run --restart` each run 4 times over a command
 * that daemonizes a double-forked and a setsid'ed helper and exits 5; no
 * run starts beside an earlier run's helper, and nothing is left.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { asNobody, FIXTURE_TIMEOUT_MS } from '../cgroup/cgroup-kit.js';
import { nodeArgs, REPO } from '../helpers/node-script.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';

const exec = promisify(execFile);
const FIXTURE = new URL('../fixtures/supervise-as-user.ts', import.meta.url);
const asRoot = process.getuid?.() === 0;

interface Record {
  runs: number;
  overlaps: string;
}

test('as a user without a writable cgroup: restarts never overlap and leave nothing (library and CLI), and a pipeline contains a daemonizing stage', async (t) => {
  t.timeout(2 * FIXTURE_TIMEOUT_MS);
  const tag = tagFor(t);
  const command = asRoot ? asNobody(t, FIXTURE) : { file: process.execPath, args: nodeArgs(FIXTURE), cwd: REPO };
  const env = asRoot ? tag.env : { ...tag.env, CORRAL_FIXTURE_MECHANISM: 'pgroup' };
  const { stdout } = await exec(command.file, command.args, { env, cwd: command.cwd, timeout: FIXTURE_TIMEOUT_MS });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
    library: {
      recorded: Record;
      reason: string;
      runs: number;
      exitCode: number;
      mechanism: string;
      fallbackReason?: string;
    };
    cli: { recorded: Record; status: number };
    pipeline: { stdout: string; failedStage: number; exitCode: number; leftovers: number; mechanism: string };
  };
  t.is(result.library.mechanism, 'pgroup');
  if (asRoot) t.truthy(result.library.fallbackReason, "'auto' fell back and said why");
  t.like(result.library, { reason: 'max-restarts', runs: 4, exitCode: 5, recorded: { runs: 4, overlaps: '' } });
  t.like(result.cli, { status: 5, recorded: { runs: 4, overlaps: '' } });
  t.like(result.pipeline, { stdout: 'a\nb\n', failedStage: 2, exitCode: 4, mechanism: 'pgroup' });
  t.true(result.pipeline.leftovers >= 2, 'both helpers of the daemonizing stage were seen, and stopped');
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});
