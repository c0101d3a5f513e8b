/**
 * A leader that leaves a double-forked daemon behind and exits only when
 * told to (its stdin closes): the test closes it once the daemon's `sleep`
 * is really running, so "leftovers when the leader exited" is deterministic
 * and no sleep() guesses at timing.
 */
import { readFileSync } from 'node:fs';
import { escapees } from '../helpers/escape-zoo.js';
import { findTagged } from '../helpers/tagged-processes.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { lookUntil } from '../helpers/look-until.js';

/** The leader: the daemon, then `read` until stdin closes, then `exit code`. */
export function daemonThenExit(code: number): string {
  return `${escapees.doubleFork}\nread _line\nexit ${code}`;
}

/** Pids bearing `tag` that are running `sleep 1000`. */
export function findSleepers(tag: string): number[] {
  return findTagged(tag).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1') === 'sleep\u00001000\u0000';
    } catch {
      return false;
    }
  });
}

/** Resolves once a `sleep 1000` bearing `tag` runs; rejects after `ms`. */
export async function waitForSleeper(tag: string, ms = PATIENCE_MS): Promise<number[]> {
  const { seen, met } = await lookUntil(
    () => findSleepers(tag),
    (found) => found.length > 0,
    { ms },
  );
  if (!met) throw new Error(`no 'sleep 1000' tagged ${tag} appeared within ${ms} ms`);
  return seen;
}
