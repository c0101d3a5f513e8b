/**
 * SIGKILL for a whole cgroup subtree. `1` into cgroup.kill (Linux 5.14+)
 * kills every member of the subtree in one go, in the kernel, including
 * members forked meanwhile. Without it (detected by trying: the file is
 * missing, ENOENT) the subtree is frozen, so that nothing can fork while we
 * look, every member is SIGKILLed in a few bounded sweeps, and the group is
 * thawed so the kills take effect (SIGKILL also wakes frozen tasks, the thaw
 * makes sure). Members still listed after the sweeps are an EKILL_FAILED.
 */
import type { Clock } from '../../driver/clock.js';
import { poll } from '../../driver/poll.js';
import { CorralError, errnoOf, failure, survivedSweeps } from '../../errors.js';
import { kill } from '../../libc/libc.js';
import { signalNumber } from '../../options/signals.js';
import { bestEffort, type CgroupFs } from './cgroup-fs.js';
import { setFrozen } from './freeze.js';
import { readSubtreeMembers } from './subtree.js';

/** Sweeps of the fallback before it gives up. A frozen tree cannot refill itself, so two normally do. */
export const FALLBACK_SWEEPS = 5;
/** How long members the last sweep saw may take to die before they count as survivors. */
const SURVIVOR_GRACE_MS = 500;

const SIGKILL = signalNumber('SIGKILL');

export async function hardKillCgroup(fs: CgroupFs, dir: string, clock: Clock): Promise<void> {
  try {
    await fs.writeFile(`${dir}/cgroup.kill`, '1');
    return;
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw killFailed(dir, 'writing cgroup.kill failed', error);
  }
  try {
    await freezeAndSweep(fs, dir, clock);
  } catch (error) {
    throw error instanceof CorralError ? error : killFailed(dir, 'the SIGKILL sweeps failed', error);
  }
}

async function freezeAndSweep(fs: CgroupFs, dir: string, clock: Clock): Promise<void> {
  try {
    await setFrozen(fs, dir, true, clock);
  } catch (error) {
    // Frozen or not, the sweeps below still kill; without the freeze a forker may refill between sweeps.
    if ((error as CorralError).errnoCode === 'ENOENT') return; // The group is gone: nothing left to kill.
  }
  let left: number[];
  try {
    left = killInSweeps(fs, dir);
  } finally {
    await setFrozen(fs, dir, false, clock).catch(() => {});
  }
  if (left.length === 0) return;
  // The last sweep may have seen members that were already dying; only one still listed after a grace is a failure.
  const gone = await poll(
    async () => {
      const members = new Set(readSubtreeMembers(fs, dir));
      return left.some((pid) => members.has(pid)) ? undefined : true;
    },
    { clock, deadline: clock.now() + SURVIVOR_GRACE_MS, ceilingMs: 10 },
  );
  if (gone) return;
  let survivors = left;
  try {
    survivors = readSubtreeMembers(fs, dir);
  } catch {
    // Unreadable now: the pids last seen are the best account.
  }
  throw survivedSweeps(dir, survivors, FALLBACK_SWEEPS);
}

/**
 * SIGKILL to every member listed, up to FALLBACK_SWEEPS times, until a
 * listing comes back empty; returns what the last sweep saw (empty: none
 * left). A failed listing throws.
 */
function killInSweeps(fs: CgroupFs, dir: string): number[] {
  let left: number[] = [];
  for (let sweep = 0; sweep < FALLBACK_SWEEPS; sweep++) {
    left = readSubtreeMembers(fs, dir);
    if (left.length === 0) break;
    for (const pid of left) kill(pid, SIGKILL);
  }
  return left;
}

function killFailed(dir: string, what: string, error: unknown): CorralError {
  return failure('EKILL_FAILED', `${what} for ${dir}`, error, { path: `${dir}/cgroup.kill`, syscall: 'write' });
}

/** The same, without yielding: for process exit, where no promise will ever settle. */
export function hardKillCgroupSync(fs: CgroupFs, dir: string): void {
  try {
    fs.writeFileSync(`${dir}/cgroup.kill`, '1');
    return;
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw killFailed(dir, 'writing cgroup.kill failed', error);
  }
  // No cgroup.kill and no time to wait for a freeze: freeze (best effort) and sweep. A failure here means the
  // directory is gone (meanwhile), and exit cleanup has nothing better to do anyway.
  if (!bestEffort(() => fs.writeFileSync(`${dir}/cgroup.freeze`, '1'))) return;
  bestEffort(() => killInSweeps(fs, dir));
  bestEffort(() => fs.writeFileSync(`${dir}/cgroup.freeze`, '0'));
}
