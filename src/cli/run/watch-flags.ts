/**
 * `corral run --watch PATH [--watch PATH...]`: the paths whose changes
 * restart the command. Each must exist now: a typo is a usage error (exit
 * 2) before anything starts, not a watch that never fires.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FlagSpec } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

export const WATCH_FLAGS: readonly FlagSpec[] = [{ name: 'watch', value: true }];

/** The watched paths, absolute; undefined without --watch. */
export function parseWatchFlags(lists: ReadonlyMap<string, string[]>, restart: boolean): string[] | undefined {
  const paths = lists.get('watch');
  if (paths === undefined) return undefined;
  if (restart)
    throw new UsageError('--watch and --restart cannot be combined: with --watch, a change restarts the command');
  const missing = paths.filter((path) => path === '' || !existsSync(path));
  if (missing.length > 0)
    throw new UsageError(
      `--watch: no such file or directory: ${missing.map((path) => JSON.stringify(path)).join(', ')}`,
    );
  return paths.map((path) => resolve(path));
}
