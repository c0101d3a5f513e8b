/**
 * Exit cleanup under the process-group mechanism: a Node process that exits
 * with a group open takes the tree with it, however it exits, unless the
 * group stood down.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { nodeArgs } from '../helpers/node-script.js';
import {
  assertNoSurvivors,
  findTagged,
  killTagged,
  tagFor,
  waitUntilGone,
  type Tag,
} from '../helpers/tagged-processes.js';
import { commandOf } from './open-pgroup.js';
import { PATIENCE_MS } from '../helpers/patience.js';

const FIXTURE = new URL('../fixtures/exit-cleanup.ts', import.meta.url);

interface FixtureRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runFixture(tag: Tag, mode: string): Promise<FixtureRun> {
  const child = spawn(process.execPath, nodeArgs(FIXTURE, 'pgroup', mode), {
    env: tag.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const endings: Array<[string, number]> = [
  ['normal', 0],
  ['exit', 0],
  ['throw', 1],
];

for (const [mode, exitCode] of endings) {
  test(`exit cleanup kills the tree when the owner ends (${mode})`, async (t) => {
    const tag = tagFor(t);
    const run = await runFixture(tag, mode);

    t.is(run.stdout, 'ready\n', run.stderr);
    t.is(run.code, exitCode);
    if (mode === 'throw') t.regex(run.stderr, /uncaught on purpose/);
    // SIGKILL was sent before the owner ended; the kernel may still be tearing members down.
    t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), []);
    assertNoSurvivors(t, tag);
  });
}

test('a stood-down group survives exit cleanup', async (t) => {
  const tag = tagFor(t);
  const run = await runFixture(tag, 'standdown');

  t.is(run.stdout, 'ready\n', run.stderr);
  t.is(run.code, 0);
  // Only sleeps count: tsx's esbuild service (tagged too) may outlive its parent for a moment.
  t.is(
    findTagged(tag.tag).filter((pid) => commandOf(pid) === 'sleep').length,
    1,
    'the SIGTERM-ignoring member was spared',
  );

  killTagged(tag.tag);
  t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), []);
  assertNoSurvivors(t, tag);
});
