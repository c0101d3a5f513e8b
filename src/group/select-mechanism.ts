/**
 * Which mechanism a new group gets. 'auto' tries cgroup v2 first: making the
 * group's own cgroup directory is the real permission test, so nothing is
 * predicted here. When this process's own cgroup is not writable (a non-root
 * user in a root-owned session scope, say), it asks systemd for a delegated
 * scope of its own and tries again in there (src/mechanisms/cgroup/systemd;
 * never with a cgroupParent, which says where groups must go). When that
 * fails too for a reason that means "no usable cgroup v2"
 * (ECGROUP_UNAVAILABLE), 'auto' falls back to process groups and keeps the
 * reason, saying what was tried; limits cannot be enforced by process
 * groups, so a group with limits never falls back silently.
 */
import { CorralError } from '../errors.js';
import { hasLimits } from '../options/limits.js';
import type { ResolvedCreateOptions } from '../options/group-options.js';
import { createCgroupContainment } from '../mechanisms/cgroup/cgroup-containment.js';
import { originOf, type CgroupOrigin } from '../mechanisms/cgroup/cgroup-origin.js';
import { locateHierarchy, type Hierarchy } from '../mechanisms/cgroup/hierarchy.js';
import { processScope, type ScopeKeeper } from '../mechanisms/cgroup/systemd/scope-keeper.js';
import type { Containment } from '../mechanisms/containment.js';

export interface Selection {
  containment: Containment;
  fallbackReason: string | undefined;
  /** Where the cgroup came from; undefined under pgroup. */
  cgroupOrigin: CgroupOrigin | undefined;
}

/** What selectMechanism() builds on; tests replace them to walk the decision order. */
export interface SelectionSeams {
  createCgroup: typeof createCgroupContainment;
  scope: Pick<ScopeKeeper, 'enter' | 'entered'>;
  hierarchy: () => Hierarchy;
}

/**
 * The fallback is loaded when first needed, not with every group: where a
 * cgroup can be had (the common case) it never runs, and `corral run` starts
 * faster without it. (The scope keeper is not: whoever entered the scope,
 * this or the limits preparation, the cgroup's origin must be read from the
 * one keeper.)
 */
async function createPgroupContainment(): Promise<Containment> {
  return (await import('../mechanisms/pgroup/pgroup-containment.js')).createPgroupContainment();
}

const realSeams: SelectionSeams = {
  createCgroup: createCgroupContainment,
  scope: processScope,
  hierarchy: () => locateHierarchy(),
};

export async function selectMechanism(
  options: ResolvedCreateOptions,
  seams: SelectionSeams = realSeams,
): Promise<Selection> {
  if (options.mechanism === 'pgroup') {
    if (hasLimits(options.limits)) {
      throw new CorralError(
        'ELIMIT_UNENFORCEABLE',
        "limits need the cgroup mechanism; process groups cannot enforce memory, pids or cpu limits (use mechanism 'cgroup' or 'auto')",
      );
    }
    return { containment: await createPgroupContainment(), fallbackReason: undefined, cgroupOrigin: undefined };
  }
  let unavailable: CorralError;
  try {
    return await inCgroup(options, seams);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    unavailable = error;
  }
  if (mayAskSystemd(options, seams)) {
    const outcome = await seams.scope.enter(options.systemdScope);
    if ('scope' in outcome) {
      try {
        return await inCgroup(options, seams);
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        unavailable = withReason(error, `${error.message} (in the delegated scope ${outcome.scope.unit} systemd gave)`);
      }
    } else {
      unavailable = withReason(
        unavailable,
        `${unavailable.message}; no delegated systemd scope either: ${outcome.reason}`,
      );
    }
  }
  if (options.mechanism === 'cgroup') throw unavailable;
  if (hasLimits(options.limits)) {
    throw new CorralError('ELIMIT_UNENFORCEABLE', `limits cannot be enforced: ${unavailable.message}`, {
      cause: unavailable,
    });
  }
  return { containment: await createPgroupContainment(), fallbackReason: unavailable.message, cgroupOrigin: undefined };
}

async function inCgroup(options: ResolvedCreateOptions, seams: SelectionSeams): Promise<Selection> {
  const containment = await seams.createCgroup({ parent: options.cgroupParent, limits: options.limits });
  const origin = originOf(containment.cgroupPath ?? '', options.cgroupParent, seams.scope.entered());
  return { containment, fallbackReason: undefined, cgroupOrigin: origin };
}

function isUnavailable(error: unknown): error is CorralError {
  return error instanceof CorralError && error.code === 'ECGROUP_UNAVAILABLE';
}

/**
 * A scope helps only where the cgroup2 mount itself is writable and the
 * groups may go anywhere: it is not tried for a cgroupParent, nor when
 * there is no cgroup2 mount or it is read-only (a container's).
 */
function mayAskSystemd(options: ResolvedCreateOptions, seams: SelectionSeams): boolean {
  if (options.cgroupParent !== undefined) return false;
  const { mount, ownCgroupPath } = seams.hierarchy();
  return mount !== undefined && !mount.readOnly && ownCgroupPath !== undefined;
}

function withReason(error: CorralError, message: string): CorralError {
  return new CorralError('ECGROUP_UNAVAILABLE', message, {
    cause: error,
    path: error.path,
    errnoCode: error.errnoCode,
  });
}
