/**
 * Which mechanism a new group gets. 'auto' tries cgroup v2 first: making the
 * group's own cgroup directory is the real permission test, so nothing is
 * predicted here. When that fails for a reason that means "no usable cgroup
 * v2" (ECGROUP_UNAVAILABLE), 'auto' falls back to process groups and keeps
 * the reason; limits cannot be enforced by process groups, so a group with
 * limits never falls back silently.
 */
import { CorralError } from '../errors.js';
import { hasLimits } from '../options/limits.js';
import type { ResolvedCreateOptions } from '../options/group-options.js';
import { createCgroupContainment } from '../mechanisms/cgroup/cgroup-containment.js';
import { createPgroupContainment } from '../mechanisms/pgroup/pgroup-containment.js';
import type { Containment } from './containment.js';

export interface Selection {
  containment: Containment;
  fallbackReason: string | undefined;
}

export async function selectMechanism(options: ResolvedCreateOptions): Promise<Selection> {
  if (options.mechanism === 'pgroup') {
    if (hasLimits(options.limits)) {
      throw new CorralError(
        'ELIMIT_UNENFORCEABLE',
        "limits need the cgroup mechanism; process groups cannot enforce memory, pids or cpu limits (use mechanism 'cgroup' or 'auto')",
      );
    }
    return { containment: createPgroupContainment(), fallbackReason: undefined };
  }
  try {
    const containment = await createCgroupContainment({ parent: options.cgroupParent, limits: options.limits });
    return { containment, fallbackReason: undefined };
  } catch (error) {
    if (options.mechanism === 'cgroup' || !(error instanceof CorralError) || error.code !== 'ECGROUP_UNAVAILABLE') throw error;
    if (hasLimits(options.limits)) {
      throw new CorralError('ELIMIT_UNENFORCEABLE', `limits cannot be enforced: ${error.message}`, { cause: error });
    }
    return { containment: createPgroupContainment(), fallbackReason: error.message };
  }
}
