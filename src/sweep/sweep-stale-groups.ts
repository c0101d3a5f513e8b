/**
 * sweepStaleGroups(): the recovery for a supervisor that died before its
 * guard could act (or together with its guard). It finds corral's cgroup
 * directories whose owner (pid and start time, from the directory's name)
 * is gone, kills what is inside and removes them.
 *
 * It never touches a directory whose owner is alive, nor one that is not
 * corral's. A stood-down group (`-spared`) was deliberately left running:
 * of a dead owner it is removed only once empty, unless `includeSpared`.
 */
import { CorralError, describeError } from '../errors.js';
import { realCgroupFs, type CgroupFs } from '../mechanisms/cgroup/cgroup-fs.js';
import { readEvents } from '../mechanisms/cgroup/cgroup-events.js';
import { locateHierarchy } from '../mechanisms/cgroup/hierarchy.js';
import { REMOVE_RETRY_MS } from '../mechanisms/cgroup/remove-group-dir.js';
import { findGroupDirs, type FoundGroupDir } from './find-group-dirs.js';
import { ownerIsAlive } from './owner.js';
import { countMembers, removeStaleGroup } from './remove-stale-group.js';
import { resolveSweepOptions, type ResolvedSweepOptions, type SweepOptions } from './sweep-options.js';

export type SweepAction =
  /** The owner is gone: members killed, directory removed. */
  | 'removed'
  /** The owner is alive: left alone. */
  | 'owner-alive'
  /** A spared group of a gone owner that still has members: left running. */
  | 'spared-kept'
  /** With dryRun: would have been removed. */
  | 'would-remove'
  /** Removal was tried and failed; see `error`. */
  | 'failed';

export interface SweptGroup {
  path: string;
  ownerPid: number;
  ownerStartTime: number;
  spared: boolean;
  action: SweepAction;
  /** Processes killed (or, with dryRun, that would be). */
  processesKilled: number;
  error?: CorralError;
}

export interface SweepReport {
  /** Where the search began; undefined when this host has no cgroup2 mount (nothing to sweep). */
  root: string | undefined;
  /** Every corral group directory found, with what was done to it. */
  groups: SweptGroup[];
  removed: number;
  processesKilled: number;
  failed: number;
}

/** Test seams: the cgroup file operations and the bound on EBUSY retries. */
export interface SweepSeams {
  fs?: CgroupFs;
  removeRetryMs?: number;
}

/** Finds the cgroup directories of dead corral supervisors, kills what is inside, removes them, and says what it did. */
export function sweepStaleGroups(options: SweepOptions = {}): Promise<SweepReport> {
  return sweepStaleGroupsWith(options, {});
}

export async function sweepStaleGroupsWith(options: SweepOptions, seams: SweepSeams): Promise<SweepReport> {
  const resolved = resolveSweepOptions(options);
  const root = resolved.root ?? locateHierarchy().mount?.mountPoint;
  const report: SweepReport = { root, groups: [], removed: 0, processesKilled: 0, failed: 0 };
  if (root === undefined) return report;
  const fs = seams.fs ?? realCgroupFs;
  for (const found of findGroupDirs(root)) {
    const swept = await sweepOne(fs, found, resolved, seams.removeRetryMs ?? REMOVE_RETRY_MS);
    report.groups.push(swept);
    if (swept.action === 'removed') report.removed += 1;
    if (swept.action === 'failed') report.failed += 1;
    report.processesKilled += swept.action === 'would-remove' ? 0 : swept.processesKilled;
  }
  return report;
}

async function sweepOne(fs: CgroupFs, { path, name }: FoundGroupDir, options: ResolvedSweepOptions, removeRetryMs: number): Promise<SweptGroup> {
  const swept: SweptGroup = {
    path,
    ownerPid: name.ownerPid,
    ownerStartTime: name.ownerStartTime,
    spared: name.spared,
    action: 'owner-alive',
    processesKilled: 0,
  };
  if (ownerIsAlive(name.ownerPid, name.ownerStartTime)) return swept;
  if (name.spared && !options.includeSpared && (await readEvents(fs, path).catch(() => ({ populated: true }))).populated) {
    swept.action = 'spared-kept';
    return swept;
  }
  if (options.dryRun) {
    swept.action = 'would-remove';
    swept.processesKilled = await countMembers(fs, path);
    return swept;
  }
  try {
    swept.processesKilled = await removeStaleGroup(fs, path, options.killTimeout, removeRetryMs);
    swept.action = 'removed';
  } catch (error) {
    swept.action = 'failed';
    swept.error =
      error instanceof CorralError ? error : new CorralError('ECGROUP_REMOVE', `sweeping ${path} failed: ${describeError(error)}`, { path, cause: error });
  }
  return swept;
}
