/**
 * What mechanism 'auto' really gets here: not a prediction but the real
 * thing, one empty group made and closed again (making the group's cgroup
 * directory is the only true permission test).
 */
import { describeError } from '../../errors.js';
import { ProcessGroup } from '../../group/process-group.js';

export interface AutoProbe {
  mechanism: 'cgroup' | 'pgroup' | 'none';
  /** Why 'auto' fell back to process groups (or why no group could be made at all). */
  reason: string | undefined;
}

export async function probeAuto(): Promise<AutoProbe> {
  let group: ProcessGroup;
  try {
    group = await ProcessGroup.create({ mechanism: 'auto', guard: false });
  } catch (error) {
    return { mechanism: 'none', reason: describeError(error) };
  }
  try {
    return { mechanism: group.mechanism, reason: group.fallbackReason };
  } finally {
    await group.close();
  }
}
