/**
 * Waiting for a test's tree to take the shape the test describes: every
 * tagged process has become a `sleep` (or has stopped itself), so traps are
 * set, forks are done and intermediate shells are gone. Deadlines are
 * generous: these machines are shared, and the TCG guest is slow.
 */
import { readFileSync } from 'node:fs';
import { findTagged, type Tag } from './tagged-processes.js';

/** Long enough for a loaded host or the TCG guest of test-vm/. */
export const SETTLE_MS = process.env.CORRAL_VM ? 120_000 : 30_000;

/** Polls until `check` holds, or throws after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = SETTLE_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A tree member in its final shape: a `sleep`, or stopped (the zoo's stopped member stops before its exec). */
export function isSettled(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.includes('(sleep)') || stat.charAt(stat.lastIndexOf(')') + 2) === 'T';
  } catch {
    return false;
  }
}

/** Waits until exactly `count` processes bear the tag and every one is settled; returns their pids. */
export async function waitForSettled(tag: Tag, count: number, ms = SETTLE_MS): Promise<number[]> {
  let pids: number[] = [];
  await eventually(() => {
    pids = findTagged(tag.tag);
    return pids.length === count && pids.every(isSettled);
  }, `${count} settled processes tagged ${tag.tag}`, ms);
  return pids;
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

/**
 * For a tree with a forker (`while :; do ... done`, never settled, its count
 * ever growing): waits until at least `count` of the other tagged processes
 * are there and every one of them is settled; returns them.
 */
export async function waitForSettledBesideForker(tag: Tag, count: number, ms = SETTLE_MS): Promise<number[]> {
  let pids: number[] = [];
  await eventually(() => {
    pids = findTagged(tag.tag).filter((pid) => !commandLineOf(pid).includes('while :'));
    return pids.length >= count && pids.every(isSettled);
  }, `${count} settled processes tagged ${tag.tag} beside the forker`, ms);
  return pids;
}
