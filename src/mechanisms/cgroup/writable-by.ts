/**
 * Whether a user could make a directory in a cgroup and move processes into
 * it, judged without trying (hostContainment() must not touch anything):
 * write access to the directory and its cgroup.procs, and, for a non-root
 * user, ownership, since cgroup delegation is by ownership.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../../errors.js';

/** Why `dir` is not writable by `uid`, or undefined when it is. */
export function notWritableBy(dir: string, uid: number): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
    accessSync(join(dir, 'cgroup.procs'), constants.W_OK);
  } catch (error) {
    return `${dir} is not writable by uid ${uid}: ${describeError(error)}`;
  }
  // access() can say yes through group or other bits; cgroup delegation is by ownership.
  if (uid !== 0 && statSync(dir).uid !== uid)
    return `${dir} is not delegated to uid ${uid} (owned by uid ${statSync(dir).uid})`;
  return undefined;
}
