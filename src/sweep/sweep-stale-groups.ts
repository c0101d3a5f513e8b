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
import { findGroupDirs, type CgroupSeams, type FoundGroupDir } from '../mechanisms/cgroup/index.js';
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

/** Finds the cgroup directories of dead corral supervisors, kills what is inside, removes them, says what it did. */
export function sweepStaleGroups(options: SweepOptions = {}): Promise<SweepReport> {
  return sweepStaleGroupsWith(options, {});
}

/** `seams`: the cgroup mechanism's (file operations, clock), for tests. */
export async function sweepStaleGroupsWith(options: SweepOptions, seams: CgroupSeams): Promise<SweepReport> {
  const resolved = resolveSweepOptions(options);
  const { root, groups } = findGroupDirs(resolved.root, seams);
  const report: SweepReport = { root, groups: [], removed: 0, processesKilled: 0, failed: 0 };
  for (const found of groups) {
    const swept = await sweepOne(found, resolved);
    report.groups.push(swept);
    if (swept.action === 'removed') report.removed += 1;
    if (swept.action === 'failed') report.failed += 1;
    report.processesKilled += swept.action === 'would-remove' ? 0 : swept.processesKilled;
  }
  return report;
}

async function sweepOne(found: FoundGroupDir, options: ResolvedSweepOptions): Promise<SweptGroup> {
  const { path, name } = found;
  const swept: SweptGroup = {
    path,
    ownerPid: name.ownerPid,
    ownerStartTime: name.ownerStartTime,
    spared: name.spared,
    action: 'owner-alive',
    processesKilled: 0,
  };
  if (found.ownerIsAlive()) return swept;
  const group = found.attach();
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
