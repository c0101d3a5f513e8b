/**
 * Running a real test runner (vitest, jest from npm) on the fixture suites of
 * test/fixtures/runners, as root (cgroup v2) or as nobody (no writable
 * cgroup: the fallback), tagged, with its output collected. Plain fixtures,
 * never compiled: the same files in either form of the suite.
 *
 * As nobody the runner runs in a bind-mounted view of the checkout (see
 * as-another-user.ts), so every path it gets is relative to the checkout, and
 * what it writes (vitest's cache, jest's cache, the report) goes to a
 * world-writable temporary directory.
 */
import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asAnotherUser } from '../helpers/as-another-user.js';
import { REPO } from '../helpers/node-script.js';
import type { Tag } from '../helpers/tagged-processes.js';

export const NOBODY = 65534;
/** 'self': the test's own user (root on the host); 'nobody': uid 65534, which needs root to become. */
export type User = 'self' | 'nobody';

export interface RunnerOutcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export interface RunningRunner {
  child: ChildProcess;
  done: Promise<RunnerOutcome>;
  /** Resolves with the first line of output that matches, or rejects when the runner ends first. */
  line(pattern: RegExp): Promise<RegExpExecArray>;
}

/** A temporary directory every user may write (the runner's caches and the report), removed with the test. */
export function scratchDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts `node <script> ...args` (script relative to the checkout) as `user`
 * in the checkout (self) or its view (nobody), with the tag and `env` added.
 */
export function startRunner(
  t: ExecutionContext,
  user: User,
  script: string,
  args: readonly string[],
  tag: Tag,
  env: NodeJS.ProcessEnv = {},
): RunningRunner {
  const command =
    user === 'self'
      ? { file: process.execPath, args: [join(REPO, script), ...args], cwd: REPO }
      : asAnotherUser(t, {
          drop: `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups`,
          loader: [],
          relative: script,
          args: [...args],
        });
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: { ...tag.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const watchers = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const watcher of watchers) watcher();
    });
  }
  const done = new Promise<RunnerOutcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve({ status, signal, output }));
  });
  const line = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const found = pattern.exec(output);
        if (found) {
          watchers.delete(look);
          resolve(found);
        }
      };
      watchers.add(look);
      look();
      void done.then(() => {
        look();
        if (watchers.delete(look)) reject(new Error(`the runner ended without printing ${pattern}:\n${output}`));
      });
    });
  return { child, done, line };
}

export interface ReportEntry {
  file: string;
  leftovers: { pid: number; command: string }[];
}

export function readReport(path: string): ReportEntry[] {
  if (!existsSync(path)) throw new Error(`no report at ${path}`);
  return JSON.parse(readFileSync(path, 'utf8')) as ReportEntry[];
}

/** Output without colours, for matching. */
export function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape starts every colour code
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
