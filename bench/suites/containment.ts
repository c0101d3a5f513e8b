/**
 * Containment: the escape zoo (test/helpers/escape-zoo.ts: a setsid child,
 * a double-forked daemon, a new process group, a SIGTERM ignorer, a stopped
 * member, a member that makes and enters a cgroup of its own inside a corral
 * group, and a forker set off by a SIGTERM just before, so it keeps forking
 * setsid'd sleepers during the teardown, under a sleeping leader) torn down
 * by each contender's hard kill.
 * Survivors are counted after a short settle, by tag, then ended by pid.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FULL_ZOO, zooScript, zooSize } from '../../test/helpers/escape-zoo.js';
import { findTagged } from '../../test/helpers/tagged-processes.js';
import type { Contender } from '../contenders/contender.js';
import { timeTeardown } from '../lib/measure.js';
import { withTree } from '../lib/trial.js';
import type { ContainmentRow } from '../report/results.js';
import { progress } from './progress.js';

/** Long enough for a double-forked grandchild to have been reparented and for SIGKILLs in flight to land. */
const ZOO_SETTLE_MS = 300;

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch {
    return '(gone)';
  }
}

/** The zoo's stopped member stops itself before it execs: it stays a shell, so one sleep fewer is waited for. */
const ZOO_SLEEPS = zooSize(FULL_ZOO) - 1;

/** Give the stopped member time to stop, and check the zoo is all there. */
async function settledZoo(tag: string): Promise<void> {
  await sleep(ZOO_SETTLE_MS);
  const pids = findTagged(tag);
  if (pids.length < zooSize(FULL_ZOO))
    throw new Error(`the escape zoo has ${pids.length} of ${zooSize(FULL_ZOO)} processes`);
}

/** Sets the forker off: from now on it forks a setsid'd sleeper every few milliseconds. */
function startForking(tag: string): void {
  for (const pid of findTagged(tag)) {
    if (!commandLine(pid).startsWith('perl -e open')) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Gone: nothing forks.
    }
  }
}

export async function runContainment(contenders: readonly Contender[], capMs: number): Promise<ContainmentRow[]> {
  const rows: ContainmentRow[] = [];
  const treeSize = zooSize(FULL_ZOO);
  for (const contender of contenders) {
    progress(`containment: ${contender.label}`);
    try {
      const row = await withTree(contender, zooScript(FULL_ZOO), ZOO_SLEEPS, async (tree, members, tag) => {
        await settledZoo(tag);
        startForking(tag);
        const timing = await timeTeardown(() => tree.hardKill(), [], capMs);
        if (timing.capped) await contender.reset?.();
        await sleep(ZOO_SETTLE_MS);
        const survivors = findTagged(tag);
        const result: ContainmentRow = {
          contender: contender.id,
          label: contender.label,
          survivors: survivors.length,
          survivorCommands: survivors.map(commandLine),
          treeSize: Math.max(treeSize, members.length),
        };
        if (timing.error) result.error = timing.error;
        return result;
      });
      rows.push(row);
    } catch (error) {
      rows.push({
        contender: contender.id,
        label: contender.label,
        survivors: Number.NaN,
        survivorCommands: [],
        treeSize,
        error: String(error),
      });
    }
  }
  return rows;
}
