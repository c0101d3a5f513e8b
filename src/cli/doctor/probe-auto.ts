/**
 * What mechanism 'auto' really gets here: not a prediction but the real
 * thing, one empty group made and closed again (making the group's cgroup
 * directory is the only true permission test). Where the own cgroup is not
 * writable and a systemd manager answers, that moves doctor itself into a
 * delegated scope, which ends when doctor does.
 */
import { describeError } from '../../errors.js';
import { ProcessGroup } from '../../group/process-group.js';
import type { CgroupOrigin } from '../../mechanisms/cgroup/index.js';

export interface AutoProbe {
  mechanism: 'cgroup' | 'pgroup' | 'none';
  /** Why 'auto' fell back to process groups (or why no group could be made at all). */
  reason: string | undefined;
  /** Where the group's cgroup came from (own cgroup or a systemd scope, and which unit), when it was a cgroup. */
  cgroupOrigin?: CgroupOrigin;
}

export async function probeAuto(): Promise<AutoProbe> {
  let group: ProcessGroup;
  try {
    group = await ProcessGroup.create({ mechanism: 'auto', guard: false });
  } catch (error) {
    return { mechanism: 'none', reason: describeError(error) };
  }
  try {
    return {
      mechanism: group.mechanism,
      reason: group.fallbackReason,
      ...(group.cgroupOrigin ? { cgroupOrigin: group.cgroupOrigin } : {}),
    };
  } finally {
    await group.close();
  }
}
