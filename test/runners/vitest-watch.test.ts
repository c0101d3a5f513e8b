/**
 * corralPool() in watch mode (`vitest watch`): each rerun's leftovers are
 * stopped and named with the file, and Ctrl+C leaves nothing. The rerun is
 * caused by rewriting a test file that this test writes into a directory of
 * its own inside the fixture (removed in its teardown). Which vitest: as in
 * vitest-pool.test.ts, 5 where Node can run it, else 4.
 */
import test from 'ava';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookUntil } from '../helpers/look-until.js';
import { REPO } from '../helpers/node-script.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { plain, scratchDir, startRunner } from './runner-harness.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const vitest5Runs = major > 22 || (major === 22 && minor >= 12);
const script = vitest5Runs ? 'node_modules/vitest5/vitest.mjs' : 'node_modules/vitest/vitest.mjs';
const fixture = 'test/fixtures/runners/vitest';
/** The fixtures' daemonizing script, by absolute path (the file written below lives outside the compiled tree's reach). */
const DAEMONIZE = join(REPO, 'test/fixtures/runners/daemonize.sh');

/** A test file that daemonizes `sleep 1000`; `version` changes its text, so that vitest sees a change. */
const daemonizingTest = (version: number) => `// version ${version}
import { execFileSync } from 'node:child_process';

test('run ${version} daemonizes', () => {
  const daemon = Number(execFileSync(${JSON.stringify(DAEMONIZE)}, { encoding: 'utf8' }));
  expect(daemon).toBeGreaterThan(0);
});
`;

/** Every "left 1 process behind" of the output so far: the file and the leftover's pid. */
function namedLeftovers(output: string): { file: string; pid: number; command: string }[] {
  return [...plain(output).matchAll(/^corral: (\S+) left 1 process behind[^\n]*\n\s+(\d+) (.*)$/gm)].map((found) => ({
    file: found[1]!,
    pid: Number(found[2]),
    command: found[3]!,
  }));
}

const gone = async (pid: number) =>
  (
    await lookUntil(
      () => existsSync(`/proc/${pid}`),
      (alive) => !alive,
      { ms: PATIENCE_MS },
    )
  ).met;

test.serial(
  `${vitest5Runs ? 'vitest 5' : 'vitest 4'} watch mode: each rerun's leftover is stopped and named with the file, and Ctrl+C leaves nothing`,
  async (t) => {
    const tag = tagFor(t);
    const scratch = scratchDir(t, 'corral-runner-');
    const dirName = `watch-${process.pid}-${Date.now()}`;
    const dir = join(REPO, fixture, dirName);
    mkdirSync(dir);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'daemonizes.test.mjs');
    writeFileSync(file, daemonizingTest(1));

    const running = startRunner(t, 'self', script, ['watch', '--configLoader', 'native', '--root', fixture], tag, {
      CORRAL_FIXTURE_CACHE: join(scratch, 'cache'),
      CORRAL_FIXTURE_FILES: `${dirName}/*.test.mjs`,
      CORRAL_FIXTURE_TEST_TIMEOUT: String(PATIENCE_MS),
      CORRAL_FAIL_ON_LEFTOVERS: '',
      XDG_DATA_HOME: join(scratch, 'data'),
      NO_COLOR: '1',
    });
    t.teardown(() => void running.child.kill('SIGKILL'));

    // Each run ends with vitest saying it waits (or, after a failure, watches) for file changes: the watcher
    // is armed then, so a change written before could go unseen.
    const firstOutput = (await running.line(/for file changes/)).input;
    const [first] = namedLeftovers(firstOutput);
    t.truthy(first, `the first run named its leftover:\n${firstOutput}`);
    t.is(first!.file, file);
    t.true(await gone(first!.pid), "the first run's leftover was stopped");

    writeFileSync(file, daemonizingTest(2));
    const secondOutput = (await running.line(/for file changes[\s\S]*for file changes/)).input;
    const named = namedLeftovers(secondOutput);
    t.is(named.length, 2, `one leftover named per run:\n${secondOutput}`);
    t.is(named[1]!.file, file);
    t.not(named[1]!.pid, first!.pid);
    t.is(named[1]!.command, 'sleep 1000');
    t.true(await gone(named[1]!.pid), "the rerun's leftover was stopped");

    running.child.kill('SIGINT');
    const outcome = await running.done;
    t.deepEqual(await waitUntilGone(tag.tag), [], outcome.output);
    assertNoSurvivors(t, tag);
  },
);
