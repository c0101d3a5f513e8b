/**
 * `noNewPrivileges`: the child runs with PR_SET_NO_NEW_PRIVS set, so that no
 * exec in its tree can gain privileges: a setuid `sudo` or `su` runs as the
 * caller and fails, file capabilities are ignored. The flag is inherited
 * across fork and exec and can never be cleared.
 *
 * Node cannot run code between fork and exec, and the flag must reach the
 * child only, never the supervisor; so the child is started through
 * util-linux's `setpriv --no-new-privs -- <command>`, which sets it and
 * execs the command in the same process (the pid stays the program's).
 * `setpriv` is looked up on the supervisor's own PATH, never the child's.
 * Where it is missing, spawn() throws ENO_NEW_PRIVS_UNAVAILABLE before
 * anything starts: a sandbox flag is never dropped silently.
 *
 * As for every wrapper (the cgroup shim too), Node's own view is kept (see
 * mechanisms/spawn/spawn-through.ts); `argv0` cannot be passed through
 * setpriv and is ignored. Under cgroup v2 the placement shim execs setpriv,
 * which execs the command: one process, one pass over the command.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { noNewPrivilegesUnavailable } from '../errors.js';
import type { Containment } from '../mechanisms/containment.js';
import { DEFAULT_PATH } from '../mechanisms/spawn/predict-exec-failure.js';
import { spawnThrough, type Start } from '../mechanisms/spawn/spawn-through.js';
import { parseBoolean } from '../options/validate.js';

/** What ProcessGroup.spawn() accepts: child_process.spawn's options plus corral's own. */
export interface GroupSpawnOptions extends SpawnOptions {
  /** Start the child with PR_SET_NO_NEW_PRIVS (through util-linux `setpriv`): setuid programs gain nothing. */
  noNewPrivileges?: boolean;
}

/** Throws EINVALID_OPTION unless `value` is undefined or a boolean. */
export function checkNoNewPrivileges(value: unknown): void {
  if (value !== undefined) parseBoolean(value, 'noNewPrivileges');
}

/** The absolute path of `setpriv` on `path` (the supervisor's PATH), or undefined. */
export function findSetpriv(path: string = process.env.PATH ?? DEFAULT_PATH): string | undefined {
  // Asked at every spawn: the last find is kept (one stat checks it) while PATH stays; a miss is searched again.
  if (lastLookup?.path === path && lastLookup.found !== undefined && isExecutableFile(lastLookup.found))
    return lastLookup.found;
  const candidates = path.split(':').filter((directory) => directory.startsWith('/'));
  lastLookup = { path, found: candidates.map((directory) => join(directory, 'setpriv')).find(isExecutableFile) };
  return lastLookup.found;
}

let lastLookup: { path: string; found: string | undefined } | undefined;

/** Executable by someone: X_OK as root would say yes to any mode. */
function isExecutableFile(path: string): boolean {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats?.isFile() === true && (stats.mode & 0o111) !== 0;
}

/** setpriv's path; throws ENO_NEW_PRIVS_UNAVAILABLE when there is none (run() asks before making its group). */
export function assertSetprivAvailable(): string {
  const setpriv = findSetpriv();
  if (setpriv !== undefined) return setpriv;
  throw noNewPrivilegesUnavailable(process.env.PATH ?? '');
}

/**
 * Start `file` in `containment` with no new privileges: setpriv runs inside
 * the mechanism's own wrapper where it has one (the cgroup shim), otherwise
 * it is the wrapper.
 */
export function spawnWithoutNewPrivileges(
  containment: Containment,
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  const prefix = [assertSetprivAvailable(), '--no-new-privs', '--'];
  if (containment.spawnWithExecPrefix) return containment.spawnWithExecPrefix(prefix, file, args, options);
  const start: Start = (f, a, o) => containment.spawn(f, a, o);
  const unstartable: Start = (f, a, o) => {
    const child = start(f, a, o);
    if (child.pid !== undefined) child.kill('SIGKILL');
    return child;
  };
  return spawnThrough({ prefix, start, unstartable }, file, args, options);
}
