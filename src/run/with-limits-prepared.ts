/**
 * Limits need a cgroup whose controllers are enabled for its children, and a
 * cgroup holding processes cannot enable them: so when limits are asked for
 * under cgroup v2 without a cgroupParent, this process first moves itself
 * into a leaf of its own cgroup (prepareCgroupForLimits, once per process)
 * and the group is made beside it. run() and `corral run` both do it, so
 * that they behave the same on the same host. Without limits nothing is
 * moved.
 */
import { controllersFor, prepareCgroupForLimits } from '../mechanisms/cgroup/index.js';
import type { ResolvedCreateOptions } from '../options/group-options.js';

export async function withLimitsPrepared(options: ResolvedCreateOptions): Promise<ResolvedCreateOptions> {
  if (options.limits === undefined || options.mechanism === 'pgroup' || options.cgroupParent !== undefined)
    return options;
  const prepared = await prepareCgroupForLimits(controllersFor(options.limits), undefined, {
    systemdScope: options.systemdScope,
  });
  return { ...options, cgroupParent: prepared.cgroupParent };
}
