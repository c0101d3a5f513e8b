/**
 * One soak cycle: a group, a random tree in it, a random way to tear it
 * down, close(); then the proof: nothing bearing the cycle's tag is alive,
 * and the group's cgroup directory is gone.
 */
import { existsSync } from 'node:fs';
import { describeError } from '../../src/errors.js';
import { ProcessGroup } from '../../src/index.js';
import { findTagged, killTagged, waitForTagged } from '../helpers/tagged-processes.js';
import type { Random } from './random.js';
import { randomTree, type Escapee } from './random-tree.js';
import { stressTag } from './stress-tag.js';

export const TEARDOWNS = ['shutdown', 'kill', 'close', 'stand-down-then-kill'] as const;
export type Teardown = (typeof TEARDOWNS)[number];
export type StressMechanism = 'cgroup' | 'pgroup';

export interface CycleResult {
  cycle: number;
  mechanism: StressMechanism;
  teardown: Teardown;
  escapees: Escapee[];
  /** Live processes of the tree when the teardown began (the forker may add a few after). */
  processes: number;
  /** Tagged processes alive after close() resolved: must be none. */
  survivors: number[];
  /** The cgroup directory still existed after close(). */
  leftoverDir: boolean;
  error?: string;
}

export interface CycleSetup {
  cycle: number;
  mechanism: StressMechanism;
  cgroupParent: string | undefined;
}

export async function runCycle(random: Random, { cycle, mechanism, cgroupParent }: CycleSetup): Promise<CycleResult> {
  const tag = stressTag(`c${cycle}`);
  const tree = randomTree(random, mechanism);
  const teardown = random.pick(TEARDOWNS);
  const grace = random.int(20, 300);
  const result: CycleResult = {
    cycle,
    mechanism,
    teardown,
    escapees: tree.escapees,
    processes: 0,
    survivors: [],
    leftoverDir: false,
  };
  let group: ProcessGroup | undefined;
  try {
    group = await ProcessGroup.create({
      mechanism,
      ...(mechanism === 'cgroup' && cgroupParent ? { cgroupParent } : {}),
      shutdownTimeout: grace,
      killTimeout: 10_000,
    });
    const child = group.spawn('sh', ['-c', tree.script], { env: tag.env, stdio: 'ignore' });
    child.on('error', () => {});
    await waitForTagged(tag.tag, tree.initialSize);
    result.processes = findTagged(tag.tag).length;
    if (teardown === 'shutdown') await group.shutdown();
    if (teardown === 'kill') await group.kill();
    if (teardown === 'stand-down-then-kill') {
      await group.shutdown({ escalate: false });
      await group.kill();
    }
    await group.close();
  } catch (error) {
    result.error = describeError(error);
    await group?.kill().catch(() => {});
    await group?.close().catch(() => {});
  }
  result.survivors = findTagged(tag.tag);
  if (result.survivors.length > 0) killTagged(tag.tag);
  const dir = group?.cgroupPath;
  result.leftoverDir = dir !== undefined && existsSync(dir);
  return result;
}
