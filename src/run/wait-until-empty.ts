/**
 * leftovers: 'wait' — wait for the tree to drain on its own. ProcessGroup
 * offers no drain event of its own, so members() is polled, quickly at first
 * (a tree that ends right after its leader is seen at once), then backing off
 * to a ceiling low enough that a drain is noticed soon after it happens.
 */
import type { ProcessGroup } from '../group/process-group.js';
import type { StopReason } from './stop-request.js';

const FIRST_POLL_MS = 5;
const POLL_CEILING_MS = 100;

/** Resolves undefined once the group has no live member, or with the stop reason if a stop is asked for first. */
export async function waitUntilEmpty(group: ProcessGroup, stopRequested: Promise<StopReason>): Promise<StopReason | undefined> {
  let stopped: StopReason | undefined;
  let wake: (() => void) | undefined;
  void stopRequested.then((reason) => {
    stopped = reason;
    wake?.();
  });
  let interval = FIRST_POLL_MS;
  while (stopped === undefined) {
    if ((await group.members()).length === 0) return undefined;
    await new Promise<void>((resolve) => {
      if (stopped !== undefined) return resolve();
      const timer = setTimeout(resolve, interval);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
    interval = Math.min(interval * 2, POLL_CEILING_MS);
  }
  return stopped;
}
