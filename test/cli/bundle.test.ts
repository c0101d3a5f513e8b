/**
 * The bundled CLI (dist/cli/corral.js, package.json's bin) against tsc's
 * module-by-module one (dist/cli/main.js). Under c8 the other CLI tests run
 * the modules (corral-cli.ts says why); these run both builds everywhere,
 * so every run of the suite has the bundle: its version, an exit status,
 * its --json report, and its guard, which the bundle must find from its own
 * URL (../guard/guard.sh). A guard that cannot start shows nowhere while
 * corral lives, so corral is SIGKILLed with a daemon up: the guard alone
 * must stop the tree and remove the group.
 */
import test from 'ava';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/node-script.js';
import { eventually } from '../helpers/settle.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { daemonThenExit, waitForSleeper } from '../run/daemon-leader.js';
import { cleanUpKept, groupDirsOf } from '../run/group-dirs.js';
import { CORRAL_BUNDLE, CORRAL_MODULES, corral, jsonReport, startCorral } from './corral-cli.js';

const BUILDS = [
  ['bundle', CORRAL_BUNDLE],
  ['modules', CORRAL_MODULES],
] as const;

const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

test('the bin is the bundle, and the bundle imports no module of ours', (t) => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  t.is(join(REPO, pkg.bin.corral!), CORRAL_BUNDLE);
  const imports = [
    ...readFileSync(CORRAL_BUNDLE, 'utf8').matchAll(/\bimport\s*(?:[^'"]*from\s*)?\(?\s*["']([^"']+)["']/g),
  ].map((m) => m[1]!);
  t.deepEqual(
    imports.filter((specifier) => specifier.startsWith('.')),
    [],
    'every module of ours is inside the bundle',
  );
  // ffi-rs is require()d on first use (src/libc/libc.ts), so no import names it.
  t.deepEqual(
    [...new Set(imports.filter((specifier) => !specifier.startsWith('node:')))].sort(),
    ['chokidar', 'systeminformation'],
    "only doctor's and --watch's packages stay outside",
  );
  for (const name of ['systeminformation', 'chokidar']) {
    t.regex(
      readFileSync(CORRAL_BUNDLE, 'utf8'),
      new RegExp(`\\bimport\\(\\s*["']${name}["']\\s*\\)`),
      `${name} is a dynamic import: a plain \`corral run\` never loads it`,
    );
  }
});

for (const [name, build] of BUILDS) {
  test.serial(`${name}: --version, the command's exit status, and the --json report`, async (t) => {
    const tag = tagFor(t);
    t.is((await corral(['--version'], tag, build)).stdout, `${version}\n`);
    const three = await corral(['run', '--json', '--', 'sh', '-c', 'echo out; exit 3'], tag, build);
    t.is(three.status, 3);
    t.is(three.stdout, 'out\n');
    const report = jsonReport(three);
    t.is(report.exitCode, 3);
    t.true(report.mechanism === 'cgroup' || report.mechanism === 'pgroup');
    assertNoSurvivors(t, tag);
  });

  test.serial(`${name}: SIGKILLed with a daemon up, its guard stops the tree and removes the group`, async (t) => {
    const tag = tagFor(t);
    // Should the guard fail, the daemon and corral's group directory are the test's to remove.
    t.teardown(() => cleanUpKept(tag.tag));
    const running = startCorral(['run', '--', 'sh', '-c', daemonThenExit(0)], tag, { build });
    const corralPid = running.child.pid!;
    await waitForSleeper(tag.tag);
    const exited = once(running.child, 'exit');
    running.child.kill('SIGKILL');
    // 'exit', not running.done: corral's stdio is the tree's too, and stays open while anything of the tree lives.
    await exited;
    const left = await waitUntilGone(tag.tag, PATIENCE_MS);
    assertNoSurvivors(t, tag, 'the guard stopped the daemon and the leader');
    if (left.length > 0) return;
    await eventually(() => groupDirsOf(corralPid).length === 0, "corral's group directory removed by its guard");
    t.pass();
  });
}
