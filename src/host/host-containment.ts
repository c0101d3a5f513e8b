/**
 * hostContainment(): what mechanism 'auto' will get on this host, and why,
 * predicted without creating, moving or writing anything. Written for
 * `corral doctor`; every field says what it means. The cgroup facts come
 * from the cgroup mechanism's probeCgroupHost().
 */
import { probeCgroupHost, type CgroupHost, type CgroupHostOptions } from '../mechanisms/cgroup/index.js';

export interface HostContainment extends CgroupHost {
  /**
   * What ProcessGroup.create({ mechanism: 'auto' }) will use here. 'pgroup'
   * is the fallback: process groups plus a child subreaper and a /proc tree
   * walk on Linux (docs/fallback.md says what it holds and what it cannot see).
   */
  mechanism: 'cgroup' | 'pgroup';
}

export type HostContainmentOptions = CgroupHostOptions;

export function hostContainment(options: HostContainmentOptions = {}): HostContainment {
  const cgroup = probeCgroupHost(options);
  return { mechanism: cgroup.reason === undefined ? 'cgroup' : 'pgroup', ...cgroup };
}
