/**
 * Running the real `corral` command as a child process: the built CLI
 * (dist/cli/main.js), as users run it. Not through tsx, whose start-up costs
 * a second on the host and seconds in the TCG guest. c8 still sees the
 * coverage (child Node processes inherit NODE_V8_COVERAGE, and the source
 * maps lead back to src/). Every run is tagged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/node-script.js';
import type { Tag } from '../helpers/tagged-processes.js';

/** The built CLI, for the tests and fixtures that run `corral` as a command. */
export const CORRAL_MAIN = builtCli();
const MAIN = CORRAL_MAIN;

/** dist/cli/main.js, refusing a build older than the source: a stale build would test old code. */
function builtCli(): string {
  const main = join(REPO, 'dist/cli/main.js');
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  const newest = newestSource(join(REPO, 'src'));
  if (built < newest.mtimeMs) {
    throw new Error(`dist/cli/main.js is ${built ? 'older than ' + newest.path : 'missing'}: run \`npm run build\` first (npm test does)`);
  }
  return main;
}

function newestSource(dir: string): { path: string; mtimeMs: number } {
  let newest = { path: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}

export interface CorralOutcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCorral {
  child: ChildProcess;
  done: Promise<CorralOutcome>;
}

/**
 * Starts `corral ...args`; stdin is a pipe the test may write to or close.
 * With `ownProcessGroup`, corral leads a process group of its own, as a
 * shell's foreground job does, so a test can signal it as a terminal would.
 */
export function startCorral(args: readonly string[], tag: Tag, { ownProcessGroup = false } = {}): RunningCorral {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: REPO,
    env: tag.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CorralOutcome>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': the output must be complete. corral's own stdio is
    // inherited by the tree, so this also proves nothing kept it open.
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

/** `corral ...args` to the end, with stdin closed at once. */
export async function corral(args: readonly string[], tag: Tag): Promise<CorralOutcome> {
  const running = startCorral(args, tag);
  running.child.stdin!.end();
  return running.done;
}

/** The last line of stderr parsed as corral run's --json report. */
export function jsonReport(outcome: CorralOutcome): Record<string, any> {
  const lines = outcome.stderr.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, any>;
}
