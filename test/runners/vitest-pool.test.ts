/**
 * corral/vitest with the real vitest from npm, on test/fixtures/runners/vitest:
 * four files, two of which leak (a `detached` server listening on a port, a
 * script that daemonizes with setsid) and two do not.
 * - a default run passes, nothing is left, and the report names exactly the
 *   two leaking files, each with its process;
 * - with CORRAL_FAIL_ON_LEFTOVERS=1 the run exits non-zero and names both;
 * - vitest's main process SIGKILLed while a test holds a daemon: the guard
 *   leaves nothing.
 * Each as root (cgroup v2) and as nobody (no writable cgroup: the fallback).
 *
 * Which vitest: 5 where Node can run it (>= 22.12), else 4 (vitest 5 is
 * skipped with its reason). One vitest per Node line keeps the file lean: a
 * vitest start costs tens of seconds in the TCG guest.
 */
import test from 'ava';
import { join } from 'node:path';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { plain, readReport, scratchDir, startRunner, type User } from './runner-harness.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const vitest5Runs = major > 22 || (major === 22 && minor >= 12);
const VITEST = vitest5Runs ? { name: 'vitest 5', script: 'node_modules/vitest5/vitest.mjs' } : { name: 'vitest 4', script: 'node_modules/vitest/vitest.mjs' };
if (!vitest5Runs) {
  const reason = `vitest 5 needs Node >= 22.12; this is Node ${process.versions.node}, so vitest 4 runs instead`;
  console.log(`vitest-pool.test: ${reason}`);
  test.skip(`vitest 5: ${reason}`, () => {});
}

const FIXTURE = 'test/fixtures/runners/vitest';
const LEAKING = {
  'suite/leaks-a-server.test.mjs': /\/node \S*\/test\/fixtures\/runners\/forgotten-server\.cjs$/,
  'suite/daemonizes.test.mjs': /^sleep 1000$/,
};

function vitest(t: Parameters<typeof scratchDir>[0], user: User, extraEnv: NodeJS.ProcessEnv = {}) {
  const tag = tagFor(t);
  const scratch = scratchDir(t, 'corral-vitest-');
  const report = join(scratch, 'leftovers.json');
  const env = {
    CORRAL_FIXTURE_CACHE: join(scratch, 'cache'),
    // vitest 5 keeps an API token in the user's data directory: nobody's home is not writable.
    XDG_DATA_HOME: join(scratch, 'data'),
    CORRAL_FIXTURE_MECHANISM: user === 'root' ? 'cgroup' : 'auto',
    CORRAL_FIXTURE_TEST_TIMEOUT: String(PATIENCE_MS),
    CORRAL_LEFTOVERS_REPORT: report,
    CORRAL_FAIL_ON_LEFTOVERS: '',
    NO_COLOR: '1',
    ...extraEnv,
  };
  // --configLoader native: the config is imported as it is, nothing is bundled and written beside it.
  const running = startRunner(t, user, VITEST.script, ['run', '--configLoader', 'native', '--root', FIXTURE], tag, env);
  return { tag, report, running };
}

for (const user of ['root', 'nobody'] as const) {
  const how = user === 'root' ? 'as root (cgroup)' : 'as nobody (the fallback)';

  test.serial(`${VITEST.name} ${how}: the run passes, nothing is left, the report names exactly the two leaking files`, async (t) => {
    const { tag, report, running } = vitest(t, user);
    const outcome = await running.done;
    t.is(outcome.status, 0, outcome.output);
    t.regex(plain(outcome.output), /Test Files\s+4 passed/);
    const entries = readReport(report);
    t.deepEqual(entries.map((e) => e.file.slice(e.file.indexOf(FIXTURE) + FIXTURE.length + 1)).sort(), Object.keys(LEAKING).sort(), JSON.stringify(entries));
    for (const entry of entries) {
      const [relative, command] = Object.entries(LEAKING).find(([file]) => entry.file.endsWith(`/${file}`))!;
      t.true(entry.file.startsWith('/'), 'absolute');
      t.is(entry.leftovers.length, 1, `${relative}: ${JSON.stringify(entry.leftovers)}`);
      t.regex(entry.leftovers[0]!.command, command);
      t.regex(outcome.output, new RegExp(`corral: \\S+/${relative.replace('.', '\\.')} left 1 process behind`), 'named in the output too');
    }
    assertNoSurvivors(t, tag);
  });

  test.serial(`${VITEST.name} ${how}: CORRAL_FAIL_ON_LEFTOVERS=1 fails the run and names both files and their processes`, async (t) => {
    const { tag, report, running } = vitest(t, user, { CORRAL_FAIL_ON_LEFTOVERS: '1' });
    const outcome = await running.done;
    t.not(outcome.status, 0, outcome.output);
    const output = plain(outcome.output);
    for (const entry of readReport(report)) {
      t.true(output.includes(`corral: ${entry.file} left 1 process behind`), `${entry.file} named:\n${output}`);
      t.true(output.includes(`  ${entry.leftovers[0]!.pid} ${entry.leftovers[0]!.command}`), 'with its process');
    }
    t.is(readReport(report).length, 2);
    assertNoSurvivors(t, tag);
  });

  test.serial(`${VITEST.name} ${how}: the main process SIGKILLed while a test holds a daemon leaves nothing`, async (t) => {
    const { tag, running } = vitest(t, user, { CORRAL_FIXTURE_FILES: 'killed/*.test.mjs' });
    await running.line(/corral-fixture: daemon \d+ is up/);
    const killedAt = Date.now();
    running.child.kill('SIGKILL');
    await running.done;
    const left = await waitUntilGone(tag.tag);
    t.log(`everything gone ${Date.now() - killedAt} ms after the SIGKILL`);
    t.deepEqual(left, []);
    assertNoSurvivors(t, tag);
  });
}
