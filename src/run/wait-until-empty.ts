/**
 * leftovers: 'wait' — wait for the tree to drain on its own. ProcessGroup
 * offers no drain event of its own, so members() is polled, quickly at first
 * (a tree that ends right after its leader is seen at once), then backing off
 * to a ceiling low enough that a drain is noticed soon after it happens. A
 * stop request cuts the wait short.
 */
import { systemClock, type Clock } from '../driver/clock.js';
import { poll } from '../driver/poll.js';
import type { StopReason } from './stop-request.js';

const FIRST_POLL_MS = 5;
const POLL_CEILING_MS = 100;

/** Resolves undefined once the group has no live member, or with the stop reason if a stop is asked for first. */
export async function waitUntilEmpty(
  group: { members(): Promise<number[]> },
  stopRequested: Promise<StopReason>,
  clock: Clock = systemClock,
): Promise<StopReason | undefined> {
  let stopped: StopReason | undefined;
  void stopRequested.then((reason) => (stopped = reason));
  const outcome = await poll(async () => stopped ?? ((await group.members()).length === 0 ? 'empty' : undefined), {
    clock,
    deadline: Number.POSITIVE_INFINITY,
    firstMs: FIRST_POLL_MS,
    ceilingMs: POLL_CEILING_MS,
    subscribe: (wake) => {
      void stopRequested.then(wake);
      return () => {};
    },
  });
  return outcome === 'empty' ? undefined : outcome;
}
