/**
 * Every contender's tree leaves orphans (a flat tree's leader dies before
 * its sleeps; tree-kill and execa signal parents before children), and
 * their zombies are pid 1's to reap. Where pid 1 reaps lazily (on this
 * sandbox's host, every two seconds or so) hundreds of them pile up between
 * its rounds, and every contender that reads /proc (the killpg floor,
 * corral's fallback, the harness's own checks) pays for reading them: noise
 * that comes from the host's init, not from what is measured. So before
 * each trial the harness waits, bounded, until pid 1 is back to the zombies
 * it had when the benchmark began. With an init that reaps at once
 * (systemd, tini) there is never anything to wait for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { scanProcesses } from '../../src/proc/stat.js';

/** How long a trial may wait for pid 1 (a little more than one of its rounds here). */
const WAIT_MS = 3000;
/** A few stray zombies are not worth a wait. */
const TOLERATED = 10;

function zombiesOfInit(): number {
  return scanProcesses((stat) => stat.ppid === 1 && stat.state === 'Z').length;
}

const atStart = zombiesOfInit();

/** Resolves once pid 1 holds no more than a few zombies beyond those it had at the start, or after WAIT_MS. */
export async function waitForInitToReap(): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (zombiesOfInit() > atStart + TOLERATED && Date.now() < deadline) await sleep(20);
}
