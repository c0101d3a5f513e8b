/**
 * Waiting for a test's tree to take the shape the test describes: every
 * tagged process has become a `sleep` (or has stopped itself), so traps are
 * set, forks are done and intermediate shells are gone. Counting tagged
 * processes alone is not enough: a double fork's intermediate shell, or a
 * `perl` before its exec, is counted too, and may still be there when the
 * test acts. Deadlines only bound a failing test (see patience.ts).
 */
import { readFileSync } from 'node:fs';
import { PATIENCE_MS } from './patience.js';
import { lookUntil } from './look-until.js';
import { describeTagged, findTagged, type Tag } from './tagged-processes.js';

/** Long enough for a loaded host or the TCG guest of test-vm/. */
export const SETTLE_MS = PATIENCE_MS;

/**
 * Polls until `check` holds, or throws after `ms`, saying what it waited
 * for and, with `tag`, what the tagged processes looked like then.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = SETTLE_MS,
  tag?: Pick<Tag, 'tag'>,
): Promise<void> {
  const { met } = await lookUntil(check, (held) => held, { ms });
  if (!met) throw new Error(`not within ${ms} ms: ${what}${tag ? `\n${describeTagged(tag.tag)}` : ''}`);
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

/**
 * Waits until exactly `count` settled processes bear the tag, and `besides`
 * others (a supervisor or fixture Node process that is not part of the
 * tree); returns the settled pids.
 */
export async function waitForSettled(tag: Tag, count: number, ms = SETTLE_MS, besides = 0): Promise<number[]> {
  let settled: number[] = [];
  await eventually(
    () => {
      const pids = findTagged(tag.tag);
      settled = pids.filter(isSettled);
      return settled.length === count && pids.length === count + besides;
    },
    `${count} settled processes tagged ${tag.tag}${besides ? ` (and ${besides} other)` : ''}`,
    ms,
    tag,
  );
  return settled;
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
  await eventually(
    () => {
      pids = findTagged(tag.tag).filter((pid) => !commandLineOf(pid).includes('while :'));
      return pids.length >= count && pids.every(isSettled);
    },
    `${count} settled processes tagged ${tag.tag} beside the forker`,
    ms,
  );
  return pids;
}
