/**
 * The one poll loop, on the injected Clock: ask, and until there is an
 * answer, sleep with a doubling backoff and ask again, never sleeping past
 * the deadline. Every wait in corral that cannot be a pure event (the drain,
 * a freeze being reported, rmdir answering EBUSY, run()'s leftovers: 'wait')
 * goes through it, so each is tested on the virtual clock and no verdict
 * depends on how fast the machine is. A change notification, where there is
 * one, cuts a sleep short; the poll is then only a safety net.
 */
import type { Clock } from './clock.js';

export interface PollOptions {
  clock: Clock;
  /** Time on `clock` after which no more sleeping: the attempt at (or after) it is the last. Infinity: none. */
  deadline: number;
  /** The first sleep in milliseconds (default 1: an answer that comes at once is seen at once). */
  firstMs?: number;
  /** The sleep stops doubling here. */
  ceilingMs: number;
  /** Subscribe `wake` to whatever may change the answer; returns the unsubscribe function. */
  subscribe?: (wake: () => void) => (() => void) | undefined;
}

/** Resolves with the first answer of `attempt` that is not undefined, or undefined once the deadline has passed. */
export async function poll<T>(attempt: () => Promise<T | undefined>, options: PollOptions): Promise<T | undefined> {
  const { clock, deadline, ceilingMs } = options;
  const first = await attempt();
  if (first !== undefined) return first;
  // Subscribed only now: most waits are answered by the first attempt, and a
  // change between it and the subscription is caught by the first short sleep.
  let interval = options.firstMs ?? 1;
  let changed = false;
  let wake: (() => void) | undefined;
  const unsubscribe = options.subscribe?.(() => {
    changed = true;
    wake?.();
  });
  try {
    for (;;) {
      const left = deadline - clock.now();
      if (left <= 0) return undefined;
      // A change seen while asking is asked about at once.
      if (!changed) {
        const sleep = clock.sleep(Math.min(interval, left));
        wake = sleep.cancel;
        await sleep.promise;
        wake = undefined;
        sleep.cancel();
      }
      changed = false;
      const answer = await attempt();
      if (answer !== undefined) return answer;
      interval = Math.min(interval * 2, ceilingMs);
    }
  } finally {
    unsubscribe?.();
  }
}
