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
import { CorralError, failure } from '../errors.js';
import { attachCgroupContainment, type CgroupSeams } from '../mechanisms/cgroup/cgroup-containment.js';
import { realCgroupFs } from '../mechanisms/cgroup/cgroup-fs.js';
import { findGroupDirs, type FoundGroupDir } from '../mechanisms/cgroup/find-group-dirs.js';
import { locateHierarchy } from '../mechanisms/cgroup/hierarchy.js';
import { ownerIsAlive } from '../mechanisms/cgroup/owner.js';
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

/** Test seams: the cgroup mechanism's (file operations, clock). */
export type SweepSeams = CgroupSeams;

/** Finds the cgroup directories of dead corral supervisors, kills what is inside, removes them, and says what it did. */
export function sweepStaleGroups(options: SweepOptions = {}): Promise<SweepReport> {
  return sweepStaleGroupsWith(options, {});
}

export async function sweepStaleGroupsWith(options: SweepOptions, seams: SweepSeams): Promise<SweepReport> {
  const resolved = resolveSweepOptions(options);
  const root = resolved.root ?? locateHierarchy().mount?.mountPoint;
  const report: SweepReport = { root, groups: [], removed: 0, processesKilled: 0, failed: 0 };
  if (root === undefined) return report;
  for (const found of findGroupDirs(seams.fs ?? realCgroupFs, root)) {
    const swept = await sweepOne(found, resolved, seams);
    report.groups.push(swept);
    if (swept.action === 'removed') report.removed += 1;
    if (swept.action === 'failed') report.failed += 1;
    report.processesKilled += swept.action === 'would-remove' ? 0 : swept.processesKilled;
  }
  return report;
}

async function sweepOne(
  { path, name }: FoundGroupDir,
  options: ResolvedSweepOptions,
  seams: SweepSeams,
): Promise<SweptGroup> {
  const swept: SweptGroup = {
    path,
    ownerPid: name.ownerPid,
    ownerStartTime: name.ownerStartTime,
    spared: name.spared,
    action: 'owner-alive',
    processesKilled: 0,
  };
  if (ownerIsAlive(name.ownerPid, name.ownerStartTime)) return swept;
  const group = attachCgroupContainment(path, seams);
  if (name.spared && !options.includeSpared && !(await group.isDrained().catch(() => false))) {
    swept.action = 'spared-kept';
    return swept;
  }
  try {
    swept.processesKilled = (await group.members()).length;
    if (options.dryRun) {
      swept.action = 'would-remove';
      return swept;
    }
    await group.tearDown(options.killTimeout);
    swept.action = 'removed';
  } catch (error) {
    swept.action = 'failed';
    swept.error =
      error instanceof CorralError ? error : failure('ECGROUP_REMOVE', `sweeping ${path} failed`, error, { path });
  }
  return swept;
}
