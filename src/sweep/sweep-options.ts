import { invalidOption } from '../errors.js';
import { isCgroup2Directory } from '../mechanisms/cgroup/index.js';
import { DEFAULT_KILL_TIMEOUT } from '../options/group-options.js';
import { parseTimeout } from '../options/durations.js';
import { asOptionsObject, parseBoolean } from '../options/validate.js';

export interface SweepOptions {
  /** The cgroup2 directory to search below (default: the whole cgroup2 mount). */
  root?: string;
  /** Also kill and remove stood-down (`-spared`) groups of dead owners, not only the empty ones (default false). */
  includeSpared?: boolean;
  /** Report what would be done and touch nothing (default false). */
  dryRun?: boolean;
  /** Milliseconds to wait for a killed group to drain (default 5000). */
  killTimeout?: number;
}

export type ResolvedSweepOptions = Required<Omit<SweepOptions, 'root'>> & { root: string | undefined };

const KEYS = new Set(['root', 'includeSpared', 'dryRun', 'killTimeout']);

export function resolveSweepOptions(options: unknown = {}): ResolvedSweepOptions {
  const o = asOptionsObject(options, 'sweepStaleGroups()', KEYS) as SweepOptions;
  if (o.root !== undefined && (typeof o.root !== 'string' || !isCgroup2Directory(o.root))) {
    throw invalidOption(
      `sweepStaleGroups(): root must be a directory of a mounted cgroup2 filesystem, got ${JSON.stringify(o.root)}`,
      'EINVALID_OPTION',
      typeof o.root === 'string' ? o.root : undefined,
    );
  }
  return {
    root: o.root,
    includeSpared: o.includeSpared === undefined ? false : parseBoolean(o.includeSpared, 'includeSpared'),
    dryRun: o.dryRun === undefined ? false : parseBoolean(o.dryRun, 'dryRun'),
    killTimeout: o.killTimeout === undefined ? DEFAULT_KILL_TIMEOUT : parseTimeout(o.killTimeout, 'killTimeout'),
  };
}
