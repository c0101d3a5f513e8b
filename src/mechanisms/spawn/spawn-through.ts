/**
 * Starting the user's command through a wrapper that execs it in the same
 * process: the cgroup placement shim, util-linux `setpriv --no-new-privs`,
 * or both in one chain (the shim execs setpriv, which execs the command; the
 * pid stays the same throughout).
 *
 * Node's own view is kept, once for the whole chain: `shell` is resolved
 * first (the same `/bin/sh -c "<command>"` Node builds), spawnfile and
 * spawnargs show the user's command, not the wrapper, and `argv0` is dropped
 * (a wrapper's exec cannot set it). A command that cannot start (ENOENT,
 * EACCES, a missing cwd; see predict-exec-failure.ts) is never wrapped: it is
 * handed to `unstartable`, which starts it unwrapped so that the error is
 * Node's genuine one, and ends it at once should it start after all (the
 * file appeared in between).
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { commandLine } from './command-line.js';
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

type Writable<T> = { -readonly [K in keyof T]: T[K] };

export function spawnThrough(
  wrapper: Wrapper,
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  const command = commandLine(file, args, options);
  const cwd = options.cwd instanceof URL ? fileURLToPath(options.cwd) : options.cwd;
  if (predictExecFailure(command.file, options.env ?? process.env, cwd) !== undefined) {
    return wrapper.unstartable(file, args, options);
  }
  const wrapped: SpawnOptions = { ...options, shell: false };
  delete wrapped.argv0;
  const [wrapperFile = command.file, ...wrapperArgs] = wrapper.prefix;
  const child = wrapper.start(wrapperFile, [...wrapperArgs, command.file, ...command.args], wrapped);
  const shown = child as Writable<ChildProcess>;
  shown.spawnfile = command.file;
  shown.spawnargs = [command.file, ...command.args];
  return child;
}
