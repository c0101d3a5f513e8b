/**
 * Where a new group's cgroup is made: under this process's own cgroup (or
 * the cgroupParent); making the directory is the real permission test, so
 * nothing is predicted. When the own cgroup is not writable (a non-root user
 * in a root-owned session scope, say), a delegated systemd scope of its own
 * is asked for and the group made in there (./systemd); never with a
 * cgroupParent, which says where groups must go, nor where the cgroup2 mount
 * is missing or read-only (a container's). ECGROUP_UNAVAILABLE, "no usable
 * cgroup v2", says what was tried.
 */
import { CorralError, cgroupStillUnavailable } from '../../errors.js';
import {
  createCgroupContainment,
  type CgroupContainment,
  type CgroupContainmentOptions,
} from './cgroup-containment.js';
import { originOf, type CgroupOrigin } from './cgroup-origin.js';
import { locateHierarchy, type Hierarchy } from './hierarchy.js';
import { processScope, type ScopeKeeper } from './systemd/scope-keeper.js';

export interface GroupPlace extends CgroupContainmentOptions {
  /** Whether a delegated systemd scope may be asked for. */
  systemdScope: boolean;
}

export interface PlacedGroup {
  containment: CgroupContainment;
  /** Own cgroup, cgroupParent, or a systemd scope and which unit. */
  origin: CgroupOrigin;
}

/** What placeGroup() builds on; tests replace them to walk the decision order. */
export interface PlacementSeams {
  createCgroup: typeof createCgroupContainment;
  scope: Pick<ScopeKeeper, 'enter' | 'entered'>;
  hierarchy: () => Hierarchy;
}

const realSeams: PlacementSeams = {
  createCgroup: createCgroupContainment,
  scope: processScope,
  hierarchy: () => locateHierarchy(),
};

export async function placeGroup(place: GroupPlace, seams: PlacementSeams = realSeams): Promise<PlacedGroup> {
  let unavailable: CorralError;
  try {
    return await inCgroup(place, seams);
  } catch (error) {
    if (!isUnavailable(error) || !mayAskSystemd(place, seams)) throw error;
    unavailable = error;
  }
  const outcome = await seams.scope.enter(place.systemdScope);
  if (!('scope' in outcome)) {
    throw cgroupStillUnavailable(unavailable, `; no delegated systemd scope either: ${outcome.reason}`);
  }
  try {
    return await inCgroup(place, seams);
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    throw cgroupStillUnavailable(error, ` (in the delegated scope ${outcome.scope.unit} systemd gave)`);
  }
}

async function inCgroup(place: GroupPlace, seams: PlacementSeams): Promise<PlacedGroup> {
  const containment = await seams.createCgroup(place);
  return { containment, origin: originOf(containment.cgroupPath, place.parent, seams.scope.entered()) };
}

function isUnavailable(error: unknown): error is CorralError {
  return error instanceof CorralError && error.code === 'ECGROUP_UNAVAILABLE';
}

function mayAskSystemd(place: GroupPlace, seams: PlacementSeams): boolean {
  if (place.parent !== undefined) return false;
  const { mount, ownCgroupPath } = seams.hierarchy();
  return mount !== undefined && !mount.readOnly && ownCgroupPath !== undefined;
}
