/**
 * Would exec fail? Answered the way libuv's child does it (uv__execvpe:
 * chdir to `cwd`, then search PATH from the child's own environment for a
 * name without a slash, remembering EACCES while going on to the next
 * directory), so that a command that cannot start is never started through
 * the cgroup shim: Node's own spawn is asked instead and reports its genuine
 * ENOENT or EACCES error (see spawn-in-cgroup.ts).
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';

/** libuv's _PATH_DEFPATH, used when the child's environment has no PATH. */
export const DEFAULT_PATH = '/usr/bin:/bin';

export type ExecFailure = 'ENOENT' | 'EACCES';

function check(candidate: string): ExecFailure | undefined {
  let stats: Stats | undefined;
  try {
    // Without an exception for a plain miss: a PATH search misses in most
    // directories, and a thrown error costs tens of microseconds each.
    stats = statSync(candidate, { throwIfNoEntry: false });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES' ? 'EACCES' : 'ENOENT';
  }
  if (stats === undefined) return 'ENOENT';
  if (!stats.isFile()) return 'EACCES';
  try {
    accessSync(candidate, constants.X_OK);
    return undefined;
  } catch {
    return 'EACCES';
  }
}

function isSearchableDirectory(cwd: string): boolean {
  try {
    if (!statSync(cwd).isDirectory()) return false;
    accessSync(cwd, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The errno exec of `file` would fail with in a child started with `env` and `cwd`, or undefined if it would start. */
export function predictExecFailure(
  file: string,
  env: NodeJS.ProcessEnv,
  cwd: string | undefined,
): ExecFailure | undefined {
  const directory = cwd ?? process.cwd();
  if (cwd !== undefined && !isSearchableDirectory(directory)) return 'ENOENT';
  if (file.includes('/')) return check(resolve(directory, file));
  let sawEacces = false;
  for (const entry of (env.PATH ?? DEFAULT_PATH).split(':')) {
    const failure = check(resolve(directory, entry, file));
    if (failure === undefined) return undefined;
    if (failure === 'EACCES') sawEacces = true;
  }
  return sawEacces ? 'EACCES' : 'ENOENT';
}
