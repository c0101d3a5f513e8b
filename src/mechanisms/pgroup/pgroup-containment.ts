// PLACEHOLDER: the process-group mechanism is being written (issue 2).
import { CorralError } from '../../errors.js';
import type { Containment } from '../../group/containment.js';

export function createPgroupContainment(): Containment {
  throw new CorralError('EPGROUP_UNAVAILABLE', 'pgroup mechanism not built yet');
}
