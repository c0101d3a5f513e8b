/**
 * Containment of a dev stack under its test runner: `npm run dev` →
 * concurrently → two Node HTTP servers, the api keeping a plain child and a
 * daemonized helper (test/fixtures/stack), started by start-server-and-test
 * and by `corral run --server`, each ready on the api's URL. The "tests"
 * say they run (a marker file) and wait; the harness counts the tagged
 * processes then (the stack plus the tests), and either lets the tests end
 * (ended normally) or SIGKILLs the runner (a CI job timeout). Survivors are
 * counted once none are left or after STACK_SETTLE_MS, by tag, then ended by
 * pid. One trial per row: the counts are not timings.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findTagged } from '../../test/helpers/tagged-processes.js';
import { freePort } from '../../test/helpers/free-port.js';
import { REPO } from '../../test/helpers/node-script.js';
import { killTaggedAndWait, newTag } from '../lib/leftovers.js';
import type { ContainmentRow } from '../report/results.js';
import { progress } from './progress.js';

/** How long the runner's cleanup (or corral's guard) may take before what is left counts as left. */
const STACK_SETTLE_MS = 5000;
/** The most a stack may take to come up before the row is an error. */
const STACK_UP_MS = 60_000;

type Runner = 'start-server-and-test' | 'corral';
type Ending = 'normal' | 'sigkill';

const SSAT_VERSION = (
  JSON.parse(readFileSync(join(REPO, 'node_modules/start-server-and-test/package.json'), 'utf8')) as { version: string }
).version;

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch {
    return '(gone)';
  }
}

function argv(runner: Runner, url: string, tests: string): string[] {
  const dev = 'cd test/fixtures/stack && npm --silent run dev';
  if (runner === 'start-server-and-test')
    return [join(REPO, 'node_modules/start-server-and-test/src/bin/start.js'), dev, url, tests];
  return [join(REPO, 'dist/cli/corral.js'), 'run', '--server', dev, '--ready', url, '--', 'sh', '-c', tests];
}

async function trial(runner: Runner, ending: Ending): Promise<ContainmentRow> {
  const id = `${runner === 'corral' ? 'corral-server' : 'ssat'}-${ending}`;
  const label = `${runner === 'corral' ? 'corral run --server' : `start-server-and-test ${SSAT_VERSION}`}: npm + concurrently stack, ${ending === 'normal' ? 'ended normally' : 'SIGKILLed during the tests'}`;
  progress(`containment: ${label}`);
  const { tag, env } = newTag();
  const dir = mkdtempSync(join(tmpdir(), 'corral-bench-stack-'));
  const [api, web] = [await freePort(), await freePort()];
  const tests = `touch ${dir}/running; while [ ! -e ${dir}/go ]; do sleep 0.05; done`;
  const child = spawn(process.execPath, argv(runner, `http://127.0.0.1:${api}/`, tests), {
    cwd: REPO,
    env: { ...env, API_PORT: String(api), WEB_PORT: String(web) },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('close', resolve));
  try {
    const deadline = Date.now() + STACK_UP_MS;
    while (!existsSync(join(dir, 'running'))) {
      if (Date.now() > deadline) throw new Error(`the tests did not start within ${STACK_UP_MS} ms`);
      await sleep(20);
    }
    const treeSize = findTagged(tag).length;
    if (ending === 'normal') writeFileSync(join(dir, 'go'), '');
    else child.kill('SIGKILL');
    await exited;
    const settled = Date.now() + STACK_SETTLE_MS;
    while (findTagged(tag).length > 0 && Date.now() < settled) await sleep(50);
    const survivors = findTagged(tag);
    return {
      contender: id,
      label,
      survivors: survivors.length,
      survivorCommands: survivors.map(commandLine),
      treeSize,
    };
  } catch (error) {
    return { contender: id, label, survivors: Number.NaN, survivorCommands: [], treeSize: 0, error: String(error) };
  } finally {
    child.kill('SIGKILL');
    await killTaggedAndWait(tag);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The four rows: each runner, ended normally and SIGKILLed. */
export async function runServerStackContainment(): Promise<ContainmentRow[]> {
  const rows: ContainmentRow[] = [];
  for (const runner of ['start-server-and-test', 'corral'] as const) {
    for (const ending of ['normal', 'sigkill'] as const) rows.push(await trial(runner, ending));
  }
  return rows;
}
