/**
 * For prepareCgroupForLimits(), which works in this process's own cgroup
 * (it moves the process into a leaf there): when that cgroup is not
 * writable, enter a delegated systemd scope first, so that the own cgroup
 * becomes one this user owns. Where cgroup2 is missing or read-only nothing
 * is asked, and the caller reports that as before.
 */
import { locateHierarchy, procSelf, type ProcSources } from '../hierarchy.js';
import { notWritableBy } from '../writable-by.js';
import { processScope, type ScopeKeeper } from './scope-keeper.js';

/** Undefined when the own cgroup is (now) writable or out of question; else why it is not and no scope could be had. */
export async function makeOwnCgroupWritable(
  allowed: boolean,
  keeper: Pick<ScopeKeeper, 'enter'> = processScope,
  sources: ProcSources = procSelf,
): Promise<string | undefined> {
  const { mount, ownCgroupPath } = locateHierarchy(sources);
  if (mount === undefined || mount.readOnly || ownCgroupPath === undefined) return undefined;
  const notWritable = notWritableBy(ownCgroupPath, process.geteuid?.() ?? -1);
  if (notWritable === undefined) return undefined;
  const outcome = await keeper.enter(allowed);
  return 'scope' in outcome ? undefined : `${notWritable}; no delegated systemd scope either: ${outcome.reason}`;
}
