/**
 * `corral run`'s flags that run the command again: --restart POLICY,
 * --max-restarts N, --restart-delay D, and --watch PATH. Checked on the text
 * alone (and a watched path for its existence), so a bad value or a typo is a
 * usage error (exit 2) before anything starts, not a watch that never fires.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunOptions } from '../../run/run-options.js';
import { DEFAULT_BACKOFF, type RestartPolicy, type SuperviseOptions } from '../../supervise/supervise-options.js';
import { parseDuration } from '../units.js';
import { oneOf, UsageError } from '../usage-error.js';

export type RestartRequest = Pick<SuperviseOptions, 'restart' | 'maxRestarts' | 'backoff'>;

/** supervise()'s options for the supervision asked for, or undefined without --restart. */
export function parseRestartFlags(values: ReadonlyMap<string, string>): RestartRequest | undefined {
  const policy = values.get('restart');
  const max = values.get('max-restarts');
  const delay = values.get('restart-delay');
  if (policy === undefined) {
    if (max !== undefined || delay !== undefined)
      throw new UsageError(
        `--${max !== undefined ? 'max-restarts' : 'restart-delay'} applies only with --restart always|on-failure`,
      );
    return undefined;
  }
  const restart = oneOf<RestartPolicy>(policy, ['always', 'on-failure', 'never'], '--restart');
  if (max !== undefined && !/^\d+$/.test(max.trim()))
    throw new UsageError(`--max-restarts: expected a whole number >= 0, got ${JSON.stringify(max)}`);
  const initialDelay = delay === undefined ? DEFAULT_BACKOFF.initialDelay : parseDuration(delay, '--restart-delay');
  return {
    restart,
    ...(max === undefined ? {} : { maxRestarts: Number(max) }),
    backoff: { initialDelay, maxDelay: Math.max(initialDelay, DEFAULT_BACKOFF.maxDelay) },
  };
}

/** The watched paths, absolute; undefined without --watch. */
export function parseWatchFlags(entries: ReadonlyArray<[string, string]>, restart: boolean): string[] | undefined {
  const paths = entries.filter(([name]) => name === 'watch').map(([, path]) => path);
  if (paths.length === 0) return undefined;
  if (restart)
    throw new UsageError('--watch and --restart cannot be combined: with --watch, a change restarts the command');
  const missing = paths.filter((path) => path === '' || !existsSync(path));
  if (missing.length > 0)
    throw new UsageError(
      `--watch: no such file or directory: ${missing.map((path) => JSON.stringify(path)).join(', ')}`,
    );
  return paths.map((path) => resolve(path));
}

/** What would let two runs overlap is refused with `flag` (--restart, --watch), as supervise() refuses it. */
export function checkRestartAllows(flag: string, options: RunOptions): void {
  if (options.leftovers === 'keep')
    throw new UsageError(`${flag} cannot be combined with --leftovers keep: two runs would overlap`);
  if (options.escalate === false)
    throw new UsageError(`${flag} cannot be combined with --no-escalate: two runs could overlap`);
}
