/**
 * Running the real `corral` command as a child process, from its TypeScript
 * source through tsx (no build step needed, and c8 sees the coverage: child
 * Node processes inherit NODE_V8_COVERAGE). Every run is tagged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Tag } from '../helpers/tagged-processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

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
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
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
