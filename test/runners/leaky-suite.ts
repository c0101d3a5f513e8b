/**
 * The three checks every test-runner integration passes, on a fixture suite
 * of four files, two of which leak (a `detached` server listening on a port,
 * a script that daemonizes with setsid) and two do not:
 * - a default run passes, nothing is left, and the report names exactly the
 *   two leaking files, each with its process (and the output names them);
 * - with CORRAL_FAIL_ON_LEFTOVERS=1 the run exits non-zero and its output
 *   names both files and their processes;
 * - the runner's main process SIGKILLed, or sent SIGINT (Ctrl+C), while a
 *   test holds a daemon (the fixture's killed/ file): nothing is left (the
 *   guard after a SIGKILL, the runner's own cancellation after SIGINT).
 * Each with cgroup v2 (the fixture pins mechanism 'cgroup': root on the host,
 * the delegated user in the guest) and without a writable cgroup: as nobody
 * where the test runs as root ('auto' falls back), else the same user with
 * mechanism 'pgroup' (what the fallback gives; becoming nobody needs root).
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { plain, readReport, scratchDir, startRunner, type User } from './runner-harness.js';

export interface LeakySuite {
  /** 'vitest 5', 'jest 30'... */
  name: string;
  /** The runner's bin, relative to the checkout. */
  script: string;
  /** Its arguments for the fixture suite. */
  args: readonly string[];
  /** The fixture's directory, relative to the checkout. */
  fixture: string;
  /** The leaking files (relative to the fixture) and the command line each leaves behind. */
  leaking: Record<string, RegExp>;
  /** The run's output when it passed (a summary line). */
  passed: RegExp;
}

type Containment = 'cgroup' | 'fallback';
const asRoot = process.getuid?.() === 0;

const FIXTURE_ENV = (scratch: string, containment: Containment): NodeJS.ProcessEnv => ({
  CORRAL_FIXTURE_CACHE: join(scratch, 'cache'),
  CORRAL_FIXTURE_MECHANISM: containment === 'cgroup' ? 'cgroup' : asRoot ? 'auto' : 'pgroup',
  CORRAL_FIXTURE_TEST_TIMEOUT: String(PATIENCE_MS),
  CORRAL_LEFTOVERS_REPORT: join(scratch, 'leftovers.json'),
  CORRAL_FAIL_ON_LEFTOVERS: '',
  // vitest 5 keeps an API token in the user's data directory: nobody's home is not writable.
  XDG_DATA_HOME: join(scratch, 'data'),
  NO_COLOR: '1',
});

function start(t: ExecutionContext, suite: LeakySuite, containment: Containment, extraEnv: NodeJS.ProcessEnv = {}) {
  const tag = tagFor(t);
  const scratch = scratchDir(t, 'corral-runner-');
  const user: User = containment === 'fallback' && asRoot ? 'nobody' : 'self';
  const running = startRunner(t, user, suite.script, suite.args, tag, {
    ...FIXTURE_ENV(scratch, containment),
    ...extraEnv,
  });
  return { tag, report: join(scratch, 'leftovers.json'), running };
}

export function leakySuiteTests(suite: LeakySuite): void {
  const relative = (file: string) => file.slice(file.indexOf(suite.fixture) + suite.fixture.length + 1);
  for (const containment of ['cgroup', 'fallback'] as const) {
    const how =
      containment === 'cgroup'
        ? `as ${asRoot ? 'root' : 'this user'} (cgroup)`
        : asRoot
          ? 'as nobody (the fallback)'
          : "with mechanism 'pgroup' (the fallback)";

    test.serial(
      `${suite.name} ${how}: the run passes, nothing is left, the report names exactly the two leaking files`,
      async (t) => {
        const { tag, report, running } = start(t, suite, containment);
        const outcome = await running.done;
        t.is(outcome.status, 0, outcome.output);
        t.regex(plain(outcome.output), suite.passed);
        const entries = readReport(report);
        t.deepEqual(
          entries.map((e) => relative(e.file)).sort(),
          Object.keys(suite.leaking).sort(),
          JSON.stringify(entries),
        );
        for (const entry of entries) {
          t.true(entry.file.startsWith('/'), 'absolute');
          t.is(entry.leftovers.length, 1, `${entry.file}: ${JSON.stringify(entry.leftovers)}`);
          t.regex(entry.leftovers[0]!.command, suite.leaking[relative(entry.file)]!);
          t.true(
            plain(outcome.output).includes(`corral: ${entry.file} left 1 process behind`),
            'named in the output too',
          );
        }
        assertNoSurvivors(t, tag);
      },
    );

    test.serial(
      `${suite.name} ${how}: CORRAL_FAIL_ON_LEFTOVERS=1 fails the run and names both files and their processes`,
      async (t) => {
        const { tag, report, running } = start(t, suite, containment, { CORRAL_FAIL_ON_LEFTOVERS: '1' });
        const outcome = await running.done;
        t.not(outcome.status, 0, outcome.output);
        const output = plain(outcome.output);
        const entries = readReport(report);
        t.is(entries.length, 2);
        for (const { file, leftovers } of entries) {
          t.true(output.includes(`corral: ${file} left 1 process behind`), `${file} named:\n${output}`);
          t.true(output.includes(`  ${leftovers[0]!.pid} ${leftovers[0]!.command}`), 'with its process');
        }
        assertNoSurvivors(t, tag);
      },
    );

    for (const signal of ['SIGKILL', 'SIGINT'] as const) {
      const what = signal === 'SIGKILL' ? 'the main process SIGKILLed' : 'Ctrl+C (SIGINT to the main process)';
      test.serial(`${suite.name} ${how}: ${what} while a test holds a daemon leaves nothing`, async (t) => {
        const { tag, running } = start(t, suite, containment, { CORRAL_FIXTURE_FILES: 'killed/*.test.*' });
        await running.line(/corral-fixture: daemon \d+ is up/);
        const signalledAt = Date.now();
        running.child.kill(signal);
        const outcome = await running.done;
        // SIGINT: the runner cancels its run and ends its workers itself. SIGKILL: the guard works on after it died.
        const left = await waitUntilGone(tag.tag);
        t.log(`${signal}: everything gone ${Date.now() - signalledAt} ms after the signal`);
        t.deepEqual(left, [], outcome.output);
        assertNoSurvivors(t, tag);
      });
    }
  }
}
