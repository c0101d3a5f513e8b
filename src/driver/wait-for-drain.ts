import type { Clock } from './clock.js';
import type { GracefulTarget } from './target.js';

/** First poll interval: a tree that exits at once is seen at once. */
export const FIRST_POLL_MS = 1;
/** Poll ceiling when nothing tells us about changes. */
export const POLL_CEILING_MS = 50;
/**
 * Poll ceiling when the target raises change events: the poll is only a
 * safety net then (an event lost, or delayed by the kernel's ~10 ms
 * per-file notification rate limit, is caught by the early short polls).
 */
export const SAFETY_POLL_CEILING_MS = 250;

/**
 * Resolves true as soon as the target has drained, false if `deadline`
 * (on `clock`) passes first. Woken by the target's change events where it
 * has them; otherwise, and as a safety net, by a poll whose interval doubles
 * from FIRST_POLL_MS up to a ceiling.
 */
export async function waitForDrain(target: GracefulTarget, deadline: number, clock: Clock): Promise<boolean> {
  if (await target.isDrained()) return true;

  let wake: (() => void) | undefined;
  let changed = false;
  const unsubscribe = target.watch?.(() => {
    changed = true;
    wake?.();
  });
  const ceiling = unsubscribe ? SAFETY_POLL_CEILING_MS : POLL_CEILING_MS;
  try {
    let interval = FIRST_POLL_MS;
    for (;;) {
      const left = deadline - clock.now();
      if (left <= 0) return await target.isDrained();
      if (!changed) {
        const sleep = clock.sleep(Math.min(interval, left));
        wake = sleep.cancel;
        await sleep.promise;
        wake = undefined;
        sleep.cancel();
      }
      changed = false;
      if (await target.isDrained()) return true;
      interval = Math.min(interval * 2, ceiling);
    }
  } finally {
    unsubscribe?.();
  }
}
