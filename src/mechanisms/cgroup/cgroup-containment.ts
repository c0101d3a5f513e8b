// PLACEHOLDER: the cgroup v2 mechanism is being written (issue 3).
import { CorralError } from '../../errors.js';
import type { Containment } from '../../group/containment.js';
import type { Limits } from '../../options/limits.js';

export interface CgroupContainmentOptions {
  parent: string | undefined;
  limits: Limits | undefined;
}

export async function createCgroupContainment(_options: CgroupContainmentOptions): Promise<Containment> {
  throw new CorralError('ECGROUP_UNAVAILABLE', 'cgroup mechanism not built yet');
}
