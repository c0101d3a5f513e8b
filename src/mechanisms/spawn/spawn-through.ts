/**
 * Starting the user's command through a wrapper that execs it in the same
 * process: the cgroup placement shim, util-linux `setpriv --no-new-privs`,
 * or both in one chain (the pid stays the same throughout).
 *
 * Node's own view is kept, once for the whole chain: `shell` is resolved
 * first (the `/bin/sh -c "<command and args joined by spaces>"` Node builds),
 * spawnfile and spawnargs show the user's command, not the wrapper, and
 * `argv0` is dropped (a wrapper's exec cannot set it). A command that cannot
 * start (ENOENT, EACCES, a missing cwd; see predict-exec-failure.ts) is
 * handed to `unstartable` instead, which starts it unwrapped so that the
 * error is Node's genuine one, and ends it should it start after all.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { predictExecFailure } from './predict-exec-failure.js';

export type Start = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface Wrapper {
  /** The wrapper's command and arguments; the user's command (file, then its arguments) follows them. */
  prefix: readonly string[];
  /** Starts the wrapper (the options are the user's, with shell and argv0 taken out). */
  start: Start;
  /** Starts a command that cannot start unwrapped, and ends it if it started after all. */
  unstartable: Start;
}

export function spawnThrough(
  wrapper: Wrapper,
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  const shell = typeof options.shell === 'string' ? options.shell : '/bin/sh';
  const command = options.shell ? { file: shell, args: ['-c', [file, ...args].join(' ')] } : { file, args: [...args] };
  const cwd = options.cwd instanceof URL ? fileURLToPath(options.cwd) : options.cwd;
  if (predictExecFailure(command.file, options.env ?? process.env, cwd) !== undefined) {
    return wrapper.unstartable(file, args, options);
  }
  const wrapped: SpawnOptions = { ...options, shell: false };
  delete wrapped.argv0;
  const [wrapperFile = command.file, ...wrapperArgs] = wrapper.prefix;
  const child = wrapper.start(wrapperFile, [...wrapperArgs, command.file, ...command.args], wrapped);
  return Object.assign(child, { spawnfile: command.file, spawnargs: [command.file, ...command.args] });
}
