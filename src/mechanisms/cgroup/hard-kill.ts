/**
 * SIGKILL for a whole cgroup. `1` into cgroup.kill (Linux 5.14+) kills every
 * member in one go, in the kernel, including members forked meanwhile.
 * Without it (detected by trying: the file is missing, ENOENT) the tree is
 * frozen, so that nothing can fork while we look, every member is SIGKILLed
 * in a few bounded sweeps, and the group is thawed so the kills take effect
 * (SIGKILL also wakes frozen tasks, the thaw makes sure). Members still
 * listed after the sweeps are an EKILL_FAILED.
 */
import { CorralError, describeError, errnoOf } from '../../errors.js';
import { kill } from '../../libc/libc.js';
import { signalNumber } from '../../options/signals.js';
import { parsePids, type CgroupFs } from './cgroup-fs.js';
import { setFrozen } from './freeze.js';
import { readMembers } from './signal-members.js';

/** Sweeps of the fallback before it gives up. A frozen tree cannot refill itself, so two normally do. */
export const FALLBACK_SWEEPS = 5;

const SIGKILL = signalNumber('SIGKILL');

export async function hardKillCgroup(fs: CgroupFs, dir: string): Promise<void> {
  try {
    await fs.writeFile(`${dir}/cgroup.kill`, '1');
    return;
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw killFailed(dir, 'writing cgroup.kill failed', error);
  }
  await freezeAndSweep(fs, dir);
}

async function freezeAndSweep(fs: CgroupFs, dir: string): Promise<void> {
  try {
    await setFrozen(fs, dir, true);
  } catch (error) {
    // Frozen or not, the sweeps below still kill; without the freeze a forker may refill between sweeps.
    if (errnoOf(error) === 'ENOENT') return; // The group is gone: nothing left to kill.
  }
  let left: number[] = [];
  try {
    for (let sweep = 0; sweep < FALLBACK_SWEEPS; sweep++) {
      left = await readMembers(fs, dir);
      if (left.length === 0) break;
      for (const pid of left) kill(pid, SIGKILL);
    }
  } finally {
    await setFrozen(fs, dir, false).catch(() => {});
  }
  // The last sweep may have seen members that were already dying; only one still listed after a grace is a failure.
  if (left.length > 0 && (await stillThere(fs, dir, left))) {
    const survivors = await readMembers(fs, dir).catch(() => left);
    throw new CorralError('EKILL_FAILED', `${survivors.length} member(s) of ${dir} survived ${FALLBACK_SWEEPS} SIGKILL sweeps`, {
      pids: survivors,
      path: dir,
    });
  }
}

/** True when one of `pids` is still a member after a short grace (about half a second). */
async function stillThere(fs: CgroupFs, dir: string, pids: number[]): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const members = new Set(await readMembers(fs, dir).catch(() => []));
    if (!pids.some((pid) => members.has(pid))) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

function killFailed(dir: string, what: string, error: unknown): CorralError {
  return new CorralError('EKILL_FAILED', `${what} for ${dir}: ${describeError(error)}`, {
    path: `${dir}/cgroup.kill`,
    errnoCode: errnoOf(error),
    syscall: 'write',
    cause: error,
  });
}

/** The same, without yielding: for process exit, where no promise will ever settle. */
export function hardKillCgroupSync(fs: CgroupFs, dir: string): void {
  try {
    fs.writeFileSync(`${dir}/cgroup.kill`, '1');
    return;
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw killFailed(dir, 'writing cgroup.kill failed', error);
  }
  // No cgroup.kill and no time to wait for a freeze: freeze (best effort) and sweep.
  try {
    fs.writeFileSync(`${dir}/cgroup.freeze`, '1');
  } catch {
    return; // The directory is gone.
  }
  for (let sweep = 0; sweep < FALLBACK_SWEEPS; sweep++) {
    let pids: number[];
    try {
      pids = parsePids(fs.readFileSync(`${dir}/cgroup.procs`));
    } catch {
      break;
    }
    if (pids.length === 0) break;
    for (const pid of pids) kill(pid, SIGKILL);
  }
  try {
    fs.writeFileSync(`${dir}/cgroup.freeze`, '0');
  } catch {
    // Gone meanwhile.
  }
}
