/**
 * Supervisor death under load: a child Node process makes groups with zoo
 * trees and is SIGKILLed; its guard must leave nothing. Measured: the time
 * from the SIGKILL until no tagged process and no directory is left. And once
 * with the guard killed first: what sweepStaleGroups() then recovers.
 */
import { existsSync } from 'node:fs';
import { sweepStaleGroups } from '../../src/index.js';
import { zooScript, zooSize, type escapees } from '../helpers/escape-zoo.js';
import { findTagged, killTagged, waitForTagged } from '../helpers/tagged-processes.js';
import { waitUntilDead } from '../guard/fixtures.js';
import { startSupervisor } from '../guard/supervisor/run-supervisor.js';
import type { StressMechanism } from './cycle.js';
import { stressTag } from './stress-tag.js';

const GROUPS = 3;
const LIMIT_MS = 10_000;
const ESCAPEES: Record<StressMechanism, Array<keyof typeof escapees>> = {
  cgroup: ['setsid', 'doubleFork', 'newProcessGroup', 'ignoresTerm', 'stopped'],
  // setsid and setpgid leave a process group by design; no guard can know of them.
  pgroup: ['doubleFork', 'ignoresTerm', 'stopped'],
};

export interface DeathRound {
  mechanism: StressMechanism;
  processes: number;
  /** From the SIGKILL until nothing was left; undefined when something was still there after LIMIT_MS. */
  recoveryMs: number | undefined;
}

export interface GuardKilledFirst {
  /** Processes alive after both died, before the sweep. */
  orphans: number;
  removed: number;
  processesKilled: number;
  leftAfterSweep: number;
}

async function until(done: () => boolean): Promise<number | undefined> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > LIMIT_MS) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - start;
}

async function withTeardowns<T>(
  body: (t: { teardown(fn: () => Promise<void> | void): void }) => Promise<T>,
): Promise<T> {
  const teardowns: Array<() => Promise<void> | void> = [];
  try {
    return await body({ teardown: (fn) => teardowns.push(fn) });
  } finally {
    for (const fn of teardowns.reverse()) await fn();
  }
}

export function supervisorDeath(mechanism: StressMechanism, cgroupParent: string | undefined): Promise<DeathRound> {
  return withTeardowns(async (t) => {
    const tag = stressTag(`death-${mechanism}`);
    try {
      const names = ESCAPEES[mechanism];
      const supervisor = await startSupervisor(t, tag, {
        mechanism,
        groups: GROUPS,
        script: zooScript(names),
        ...(cgroupParent ? { cgroupParent } : {}),
      });
      const processes = (await waitForTagged(tag.tag, 1 + GROUPS * zooSize(names), LIMIT_MS)).length - 1;
      const killed = performance.now();
      supervisor.child.kill('SIGKILL');
      const gone = await until(
        () => findTagged(tag.tag).length === 0 && supervisor.report.cgroupPaths.every((p) => !existsSync(p)),
      );
      return { mechanism, processes, recoveryMs: gone === undefined ? undefined : performance.now() - killed };
    } finally {
      killTagged(tag.tag);
    }
  });
}

export function guardKilledFirst(cgroupParent: string): Promise<GuardKilledFirst> {
  return withTeardowns(async (t) => {
    const tag = stressTag('guard-first');
    try {
      const supervisor = await startSupervisor(t, tag, {
        mechanism: 'cgroup',
        groups: GROUPS,
        script: zooScript(),
        cgroupParent,
      });
      await waitForTagged(tag.tag, 1 + GROUPS * zooSize(), LIMIT_MS);
      supervisor.child.kill('SIGSTOP');
      process.kill(supervisor.report.guardPid!, 'SIGKILL');
      // Dead (a zombie until the stopped supervisor goes) before the supervisor dies.
      await waitUntilDead(supervisor.report.guardPid!, LIMIT_MS);
      await supervisor.kill();
      const orphans = findTagged(tag.tag).length;
      const report = await sweepStaleGroups({ root: cgroupParent });
      await until(() => findTagged(tag.tag).length === 0);
      return {
        orphans,
        removed: report.removed,
        processesKilled: report.processesKilled,
        leftAfterSweep: findTagged(tag.tag).length,
      };
    } finally {
      killTagged(tag.tag);
    }
  });
}
