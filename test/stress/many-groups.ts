/**
 * Concurrency: many groups open at once, each with a small tree (a leader
 * and one background sleeper), all closed together.
 */
import { existsSync } from 'node:fs';
import { LONG_SLEEP } from '../helpers/escape-zoo.js';
import { findTagged, killTagged, waitForTagged } from '../helpers/tagged-processes.js';
import { ProcessGroup } from '../../src/index.js';
import type { StressMechanism } from './cycle.js';
import { stressTag } from './stress-tag.js';
import { patience } from '../helpers/patience.js';

export interface ManyGroupsResult {
  mechanism: StressMechanism;
  groups: number;
  processes: number;
  survivors: number;
  leftoverDirs: number;
  /** Wall time of the concurrent close() of every group. */
  closeMs: number;
}

export async function runManyGroups(
  count: number,
  mechanism: StressMechanism,
  cgroupParent: string | undefined,
): Promise<ManyGroupsResult> {
  const tag = stressTag(`many-${mechanism}`);
  const groups = await Promise.all(
    Array.from({ length: count }, () =>
      ProcessGroup.create({ mechanism, ...(mechanism === 'cgroup' && cgroupParent ? { cgroupParent } : {}) }),
    ),
  );
  try {
    for (const group of groups)
      group
        .spawn('sh', ['-c', `${LONG_SLEEP} & exec ${LONG_SLEEP}`], { env: tag.env, stdio: 'ignore' })
        .on('error', () => {});
    const processes = (await waitForTagged(tag.tag, 2 * count, patience(60_000))).length;
    const closing = performance.now();
    await Promise.all(groups.map((group) => group.close()));
    const closeMs = performance.now() - closing;
    const survivors = findTagged(tag.tag).length;
    const leftoverDirs = groups.filter((g) => g.cgroupPath !== undefined && existsSync(g.cgroupPath)).length;
    return { mechanism, groups: count, processes, survivors, leftoverDirs, closeMs };
  } finally {
    killTagged(tag.tag);
    await Promise.all(groups.map((group) => group.close().catch(() => {})));
  }
}
