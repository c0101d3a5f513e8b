import type { Clock } from './clock.js';
import { poll } from './poll.js';
import type { GracefulTarget } from './target.js';

/** Poll ceiling when nothing tells us about changes. */
export const POLL_CEILING_MS = 50;
/**
 * Poll ceiling when the target raises change events: the poll is only a safety net then (an event lost, or delayed
 * by the kernel's ~10 ms per-file notification rate limit, is caught by the early short polls).
 */
export const SAFETY_POLL_CEILING_MS = 250;

/**
 * Resolves true as soon as the target has drained, false if `deadline`
 * (on `clock`) passes first. Woken by the target's change events where it
 * has them; otherwise, and as a safety net, by the backoff poll.
 *
 * Before it answers false, it looks once more, directly: members(). A
 * target may answer isDrained() from a cheaper look that can lag behind
 * (the fallback's /proc table is shared for one turn of the event loop, and
 * a turn can last long on a loaded machine), and "not drained" at a
 * deadline is a verdict: an escalation, or EKILL_TIMEOUT from close().
 */
export async function waitForDrain(target: GracefulTarget, deadline: number, clock: Clock): Promise<boolean> {
  const watch = target.watch?.bind(target);
  const drained = await poll(async () => ((await target.isDrained()) ? true : undefined), {
    clock,
    deadline,
    ceilingMs: watch ? SAFETY_POLL_CEILING_MS : POLL_CEILING_MS,
    subscribe: watch,
  });
  return drained ?? (await target.members()).length === 0;
}
