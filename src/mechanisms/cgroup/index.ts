/**
 * The cgroup v2 mechanism's one surface: all that the rest of corral uses of
 * it. Nothing outside this folder reads or writes a cgroup file but through
 * these.
 */
export { placeGroup, type PlacementSeams } from './place-group.js';
export type { CgroupOrigin } from './cgroup-origin.js';
export type { CgroupSeams } from './cgroup-containment.js';
export { findGroupDirs, type FoundGroupDir } from './find-group-dirs.js';
export { isCgroup2Directory } from './hierarchy.js';
export { probeCgroupHost, type CgroupHost, type CgroupHostOptions } from './probe-host.js';
export { controllersFor } from './apply-limits.js';
export { prepareCgroupForLimits, type PreparedCgroup, type PrepareOptions } from './prepare-for-limits.js';
