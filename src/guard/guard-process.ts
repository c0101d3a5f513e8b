/**
 * Starting the guard program (guard.sh, shipped in this folder) as a
 * process that can outlive us:
 * - detached: a session of its own, so a terminal's Ctrl+C, a hangup, or the
 *   killpg of one of our process groups never reaches it;
 * - cwd '/', stdout and stderr to /dev/null: it holds nothing of ours but the
 *   pipe, and no directory that a cgroup rmdir could trip over;
 * - a minimal environment: it needs PATH (sleep, rmdir, find), nothing else;
 * - unref'd, pipe included: it never keeps our event loop alive.
 * Its stdin pipe is the link: when we die, the kernel closes our end, and the
 * guard reads EOF.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * guard.sh, found from this module's URL by a path that holds from both places this code runs:
 * dist/guard/guard-process.js and the bundled CLI, dist/cli/corral.js (see scripts/bundle-cli.sh).
 */
export const GUARD_SCRIPT = fileURLToPath(new URL('../guard/guard.sh', import.meta.url));
const SHELL = '/bin/sh';
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface GuardProcess {
  readonly pid: number | undefined;
  /** Queue `text` on the pipe; false once the guard is known to be gone. */
  send(text: string): boolean;
}

export interface GuardProcessEvents {
  /** The guard went away (exited, or never started); `error` when it failed to start. */
  onGone(error: Error | undefined): void;
}

/** Test seams: read the guard's answers to sync lines; extra environment (CORRAL_GUARD_NO_CGROUP_KILL). */
export interface GuardProcessSeams {
  stdout?: 'ignore' | 'pipe';
  env?: Record<string, string>;
}

export function startGuardProcess(
  { onGone }: GuardProcessEvents,
  seams: GuardProcessSeams = {},
): GuardProcess & { child: ChildProcess } {
  let gone = false;
  const leave = (error: Error | undefined) => {
    if (gone) return;
    gone = true;
    onGone(error);
  };
  const child = spawn(SHELL, [GUARD_SCRIPT], {
    detached: true,
    cwd: '/',
    stdio: ['pipe', seams.stdout ?? 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? DEFAULT_PATH, LC_ALL: 'C', ...seams.env },
  });
  child.on('error', (error) => leave(error));
  child.on('exit', () => leave(undefined));
  const pipe = child.stdin as Socket;
  // EPIPE once the guard is gone: the 'exit' event says so; nothing to throw.
  pipe.on('error', () => {});
  pipe.unref();
  (child.stdout as Socket | null)?.unref();
  child.unref();
  return {
    child,
    get pid() {
      return child.pid;
    },
    send(text) {
      if (gone || pipe.destroyed || text === '') return !gone;
      pipe.write(text);
      return true;
    },
  };
}
