/**
 * Restarts: how many processes of earlier incarnations a watcher leaves
 * running. Each watcher runs a dev server (src/version.txt is its version)
 * that keeps a plain child (`sleep 1000`) and daemonizes a helper (a double
 * fork into a new session, as daemons do: `(setsid sleep 1000 &)`), both marked with the incarnation's version; after it said
 * `ready 1`, src/version.txt is changed three times, each time once the
 * previous version said it was ready. Then the processes of versions 1 to 3
 * still alive are counted, the watcher is stopped as a terminal's Ctrl+C
 * would (SIGINT to its process group), and what is still alive of any
 * incarnation is counted again. Everything is ended by pid afterwards.
 *
 * Run alone: `npx tsx bench/suites/restarts.ts` prints its table.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEnvironSync } from '../../src/proc/read-proc-file.js';
import { findTagged } from '../../test/helpers/tagged-processes.js';
import { killTaggedAndWait, newTag } from '../lib/leftovers.js';
import { markdownTable } from '../report/table.js';
import type { RestartRow } from '../report/results.js';
import { progress } from './progress.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INCARNATION = 'CORRAL_BENCH_INCARNATION';
const CHANGES = 3;
/** How long a watcher may take to bring a version up before the row says it failed. */
const READY_MS = 30_000;
/** After the watcher's exit: long enough for SIGKILLs in flight to land. */
const SETTLE_MS = 300;

const SERVER = `
import http from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
const version = readFileSync(process.env.WATCH_DIR + '/src/version.txt', 'utf8').trim();
const env = { ...process.env, ${INCARNATION}: version };
spawn('sleep', ['1000'], { stdio: 'ignore', env });
spawn('sh', ['-c', '(setsid sleep 1000 &)'], { stdio: 'ignore', env });
http.createServer((_q, r) => r.end(version)).listen(0, '127.0.0.1', () => console.log('ready ' + version));
`;

interface Watcher {
  id: string;
  label: string;
  command(src: string, server: string): string[];
}

export const WATCHERS: readonly Watcher[] = [
  {
    id: 'node-watch',
    label: '`node --watch-path`',
    command: (src, server) => [process.execPath, `--watch-path=${src}`, server],
  },
  {
    id: 'nodemon',
    label: 'nodemon 3',
    command: (src, server) => [
      process.execPath,
      join(REPO, 'node_modules/nodemon/bin/nodemon.js'),
      '--watch',
      src,
      '--ext',
      'txt',
      server,
    ],
  },
  {
    id: 'corral-watch',
    label: '**`corral run --watch`**',
    command: (src, server) => [
      process.execPath,
      join(REPO, 'dist/cli/corral.js'),
      'run',
      '--watch',
      src,
      '--',
      process.execPath,
      server,
    ],
  },
];

function incarnationOf(pid: number): number | undefined {
  const match = new RegExp(`(?:^|\\0)${INCARNATION}=(\\d+)\\0`).exec(readEnvironSync(pid) ?? '');
  return match ? Number(match[1]) : undefined;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch {
    return '(gone)';
  }
}

async function measure(watcher: Watcher): Promise<RestartRow> {
  const { tag, env } = newTag();
  const dir = mkdtempSync(join(tmpdir(), 'corral-bench-restarts-'));
  const src = join(dir, 'src');
  mkdirSync(src);
  const server = join(dir, 'server.mjs');
  writeFileSync(server, SERVER);
  writeFileSync(join(src, 'version.txt'), '1\n');
  const [file, ...args] = watcher.command(src, server);
  const child = spawn(file!, args, {
    env: { ...env, WATCH_DIR: dir },
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  let wake: (() => void) | undefined;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    wake?.();
  });
  const readyFor = async (version: number) => {
    const deadline = Date.now() + READY_MS;
    while (!output.split('\n').includes(`ready ${version}`)) {
      if (Date.now() > deadline) throw new Error(`version ${version} did not come up within ${READY_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now() + 1);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  try {
    await readyFor(1);
    for (let version = 2; version <= CHANGES + 1; version++) {
      writeFileSync(join(src, 'version.txt'), `${version}\n`);
      await readyFor(version);
    }
    const earlier = findTagged(tag)
      .map((pid) => ({ version: incarnationOf(pid), command: commandLine(pid) }))
      .filter(({ version }) => version !== undefined && version <= CHANGES);
    process.kill(-child.pid!, 'SIGINT');
    await Promise.race([exited, sleep(READY_MS)]);
    await sleep(SETTLE_MS);
    const afterStop = findTagged(tag).filter((pid) => incarnationOf(pid) !== undefined);
    return {
      contender: watcher.id,
      label: watcher.label,
      earlierAlive: earlier.length,
      afterStop: afterStop.length,
      which: earlier.map(({ version, command }) => `v${version} ${command}`).sort(),
    };
  } catch (error) {
    return {
      contender: watcher.id,
      label: watcher.label,
      earlierAlive: Number.NaN,
      afterStop: Number.NaN,
      which: [],
      error: String(error),
    };
  } finally {
    await killTaggedAndWait(tag);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runRestarts(watchers: readonly Watcher[] = WATCHERS): Promise<RestartRow[]> {
  const rows: RestartRow[] = [];
  for (const watcher of watchers) {
    progress(`restarts: ${watcher.label}`);
    rows.push(await measure(watcher));
  }
  return rows;
}

export function restartsTable(rows: readonly RestartRow[]): string {
  return markdownTable(
    [
      'watcher',
      `processes of earlier incarnations alive after ${CHANGES} restarts`,
      'alive after the watcher is stopped (Ctrl+C)',
      'which',
    ],
    rows.map((row) => [
      row.label,
      row.error ? `n/a (${row.error})` : String(row.earlierAlive),
      row.error ? '' : String(row.afterStop),
      row.which.join('; '),
    ]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${restartsTable(await runRestarts())}\n`);
}
