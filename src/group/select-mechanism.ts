/**
 * Which mechanism a new group gets. 'auto' tries cgroup v2 first (how and
 * where: the cgroup mechanism's placeGroup()). When that fails for a reason
 * that means "no usable cgroup v2" (ECGROUP_UNAVAILABLE), 'auto' falls back
 * to process groups and keeps the reason, saying what was tried; limits
 * cannot be enforced by process groups, so a group with limits never falls
 * back silently.
 */
import type { Clock } from '../driver/clock.js';
import { CorralError, limitsNeedCgroup } from '../errors.js';
import { hasLimits } from '../options/limits.js';
import type { ResolvedCreateOptions } from '../options/group-options.js';
import { placeGroup, type CgroupOrigin, type PlacementSeams } from '../mechanisms/cgroup/index.js';
import type { Containment } from '../mechanisms/containment.js';

export interface Selection {
  containment: Containment;
  fallbackReason?: string;
  /** Where the cgroup came from; undefined under pgroup. */
  cgroupOrigin?: CgroupOrigin;
}

/**
 * The fallback is loaded when first needed, not with every group: where a
 * cgroup can be had (the common case) it never runs, and `corral run` starts
 * faster without it.
 */
async function createPgroupContainment(clock: Clock): Promise<Containment> {
  return (await import('../mechanisms/pgroup/index.js')).createPgroupContainment(clock);
}

/** `clock`: the containment's one clock; `seams`: the cgroup placement's (tests). */
export async function selectMechanism(
  options: ResolvedCreateOptions,
  clock: Clock,
  seams?: PlacementSeams,
): Promise<Selection> {
  if (options.mechanism === 'pgroup') {
    if (hasLimits(options.limits)) throw limitsNeedCgroup();
    return { containment: await createPgroupContainment(clock) };
  }
  const place = { parent: options.cgroupParent, limits: options.limits, systemdScope: options.systemdScope, clock };
  try {
    const { containment, origin } = await placeGroup(place, seams);
    return { containment, cgroupOrigin: origin };
  } catch (error) {
    const unavailable = error instanceof CorralError && error.code === 'ECGROUP_UNAVAILABLE';
    if (!unavailable || options.mechanism === 'cgroup') throw error;
    if (hasLimits(options.limits)) throw limitsNeedCgroup(error);
    return { containment: await createPgroupContainment(clock), fallbackReason: error.message };
  }
}
