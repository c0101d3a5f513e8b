/**
 * Exit cleanup under cgroup v2: a Node process that ends with a group open
 * takes the whole tree with it (killSync: cgroup.kill, then the directory
 * is removed), however it ends, unless the group stood down.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeArgs } from '../helpers/node-script.js';
import { assertNoSurvivors, findTagged, tagFor, waitUntilGone, type Tag } from '../helpers/tagged-processes.js';
import { destroyCgroupDir, FIXTURE_TIMEOUT_MS, requireCgroup } from './cgroup-kit.js';
import { PATIENCE_MS } from '../helpers/patience.js';

const FIXTURE = new URL('../fixtures/exit-cleanup.ts', import.meta.url);

/** Runs the fixture (SIGKILLed if it hangs); its group directory is destroyed in teardown whatever happens. */
function runFixture(
  t: ExecutionContext,
  tag: Tag,
  mode: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, nodeArgs(FIXTURE, 'cgroup', mode), {
    env: tag.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: FIXTURE_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  t.teardown(() => destroyCgroupDir(directoryOf(stdout)));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function directoryOf(stdout: string): string {
  return /^group (\S+)$/m.exec(stdout)?.[1] ?? '';
}

for (const [mode, exitCode] of [
  ['normal', 0],
  ['exit', 0],
  ['throw', 1],
] as const) {
  test(`exit cleanup kills the zoo and removes the directory when the owner ends (${mode})`, async (t) => {
    if (!(await requireCgroup(t))) return;
    const tag = tagFor(t);
    const run = await runFixture(t, tag, mode);
    const dir = directoryOf(run.stdout);

    t.regex(run.stdout, /^ready$/m, run.stderr);
    t.is(run.code, exitCode);
    t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), []);
    t.false(existsSync(dir), 'killSync() removed the directory on the way out');
    assertNoSurvivors(t, tag);
  });
}

test('a stood-down group survives its owner, in its directory', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const run = await runFixture(t, tag, 'standdown');
  const dir = directoryOf(run.stdout);

  t.is(run.code, 0, run.stderr);
  const survivors = findTagged(tag.tag);
  t.is(survivors.length, 1, 'the SIGTERM ignorer lives on');
  t.deepEqual(readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number), survivors);

  await destroyCgroupDir(dir);
  t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), []);
  assertNoSurvivors(t, tag);
});
