/**
 * "No usable cgroup v2 here", said once and clearly. Under mechanism 'auto'
 * the message becomes the group's `fallbackReason`; under 'cgroup' it is the
 * ECGROUP_UNAVAILABLE error the user sees.
 */
import { cgroupUnavailable, errnoOf, type CorralError } from '../../errors.js';

const BECAUSE: Record<string, string> = {
  EACCES:
    'permission denied: this user may not create cgroups there (as a non-root user, run under a delegated cgroup, ' +
    'e.g. `systemd-run --user --scope -p Delegate=yes ...`)',
  EPERM:
    'operation not permitted: this process may not create cgroups there ' +
    '(no delegation, or a container without cgroup write access)',
  EROFS: 'the cgroup2 filesystem is mounted read-only (typical inside containers)',
  ENOENT: 'the parent cgroup directory does not exist',
  ENOTDIR: 'the parent cgroup path is not a directory',
};

/**
 * The mkdir of the group's directory failed: why that means "no cgroup v2 for us";
 * undefined when the error does not mean "not allowed here" (a bug, a passing failure).
 */
export function mkdirUnavailable(dir: string, error: unknown): CorralError | undefined {
  const errno = errnoOf(error);
  if (errno === undefined || !(errno in BECAUSE)) return undefined;
  return cgroupUnavailable(`cannot create ${dir}: ${errno}: ${BECAUSE[errno]}`, { path: dir, cause: error });
}
