/**
 * Running the real `corral` command as a child process: the built CLI, as
 * users run it. Not through tsx, whose start-up costs a second on the host
 * and seconds in the TCG guest. Every run is tagged.
 *
 * Which build: the bundle, dist/cli/corral.js (package.json's bin), except
 * under c8 (NODE_V8_COVERAGE set), where it is tsc's module-by-module
 * dist/cli/main.js: c8 counts a bundle's coverage wrongly (every bundled line
 * as run; scripts/bundle-cli.sh), and reads the per-file source maps right,
 * so the CLI's code keeps its true coverage. The other Node lines and the
 * guest run the bundle through every CLI test, and the bundle test in
 * cli/bundle.test.ts runs both builds side by side, under c8 too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/node-script.js';
import type { Tag } from '../helpers/tagged-processes.js';

/** The newest file under src/: a build older than it would test old code. */
const NEWEST_SOURCE = newestSource(join(REPO, 'src'));
/** The bundled CLI, package.json's bin. */
export const CORRAL_BUNDLE = builtCli('dist/cli/corral.js');
/** tsc's CLI, one module per file. */
export const CORRAL_MODULES = builtCli('dist/cli/main.js');
/** The built CLI, for the tests and fixtures that run `corral` as a command (see above for which). */
export const CORRAL_MAIN = process.env.NODE_V8_COVERAGE ? CORRAL_MODULES : CORRAL_BUNDLE;
const MAIN = CORRAL_MAIN;

/** A build of the CLI, refusing one older than the source: a stale build would test old code. */
function builtCli(relative: string): string {
  const main = join(REPO, relative);
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  if (built < NEWEST_SOURCE.mtimeMs) {
    throw new Error(
      `${relative} is ${built ? `older than ${NEWEST_SOURCE.path}` : 'missing'}: run \`npm run build\` first (npm test does)`,
    );
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
 * `build` is which CLI (default CORRAL_MAIN).
 */
export function startCorral(
  args: readonly string[],
  tag: Tag,
  { ownProcessGroup = false, build = MAIN } = {},
): RunningCorral {
  const child = spawn(process.execPath, [build, ...args], {
    cwd: REPO,
    env: tag.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  return { child, done: outcomeOf(child) };
}

/** corral's status and all it wrote, once it is done (`child` spawned with stdout and stderr piped). */
export function outcomeOf(child: ChildProcess): Promise<CorralOutcome> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<CorralOutcome>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': the output must be complete. corral's own stdio is
    // inherited by the tree, so this also proves nothing kept it open.
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** `corral ...args` to the end, with stdin closed at once. */
export async function corral(args: readonly string[], tag: Tag, build = MAIN): Promise<CorralOutcome> {
  const running = startCorral(args, tag, { build });
  running.child.stdin!.end();
  return running.done;
}

/** The last line of stderr parsed as corral run's --json report. */
export function jsonReport(outcome: CorralOutcome): Record<string, any> {
  const lines = outcome.stderr.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, any>;
}
