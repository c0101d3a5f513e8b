/** The shell scripts the benchmark runs as process trees. */

export const LONG_SLEEP = 'sleep 1000';

/**
 * A flat tree of `size` processes, started fast: one shell forks size - 1
 * background sleeps and then becomes the last one itself (exec), so the
 * whole tree is up after one `sh` and `size` execs.
 */
export function flatTreeScript(size: number): string {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`tree size must be a positive integer, got ${size}`);
  if (size === 1) return `exec ${LONG_SLEEP}`;
  return `i=1; while [ $i -lt ${size} ]; do ${LONG_SLEEP} & i=$((i+1)); done; exec ${LONG_SLEEP}`;
}
