/**
 * `corral run`'s supervision flags: --restart POLICY, --max-restarts N,
 * --restart-delay D. Kept apart from the other run flags; checked on the
 * text alone, so a bad value is a usage error (exit 2) before anything starts.
 */
import type { RunOptions } from '../../run/run-options.js';
import type { RestartPolicy } from '../../supervise/supervise-options.js';
import type { FlagSpec } from '../parse-flags.js';
import { parseDuration } from '../units.js';
import { oneOf, UsageError } from '../usage-error.js';

export const RESTART_FLAGS: readonly FlagSpec[] = [
  { name: 'restart', value: true },
  { name: 'max-restarts', value: true },
  { name: 'restart-delay', value: true },
];

export interface RestartRequest {
  restart: RestartPolicy;
  /** Undefined: no limit. */
  maxRestarts: number | undefined;
  /** The first delay in ms; undefined: the library's default. */
  initialDelay: number | undefined;
}

const POLICIES: readonly RestartPolicy[] = ['always', 'on-failure', 'never'];

/** The supervision asked for, or undefined without --restart. */
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
  const restart = oneOf(policy, POLICIES, '--restart');
  if (max !== undefined && !/^\d+$/.test(max.trim()))
    throw new UsageError(`--max-restarts: expected a whole number >= 0, got ${JSON.stringify(max)}`);
  return {
    restart,
    maxRestarts: max === undefined ? undefined : Number(max),
    initialDelay: delay === undefined ? undefined : parseDuration(delay, '--restart-delay'),
  };
}

/** What would let two runs overlap is refused with `flag` (--restart, --watch), as supervise() refuses it. */
export function checkRestartAllows(flag: string, options: RunOptions): void {
  if (options.leftovers === 'keep')
    throw new UsageError(`${flag} cannot be combined with --leftovers keep: two runs would overlap`);
  if (options.escalate === false)
    throw new UsageError(`${flag} cannot be combined with --no-escalate: two runs could overlap`);
}
