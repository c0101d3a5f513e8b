/**
 * run()'s second stage, when the leader exited on its own: whatever of its
 * tree still runs is the leftovers, named before anything is stopped (after
 * a shutdown there is nothing left to read). Then, by the `leftovers`
 * policy: 'kill' shuts them down the group's graceful way, 'wait' waits for
 * them to drain (a stop request still cuts the wait short, and shuts them
 * down), 'keep' spares them.
 */
import type { Clock } from '../driver/clock.js';
import { poll } from '../driver/poll.js';
import type { ProcessGroup } from '../group/process-group.js';
import { readCommandLine } from '../proc/cmdline.js';
import type { RunResult } from './run-result.js';
import type { LeftoversPolicy } from './run-options.js';
import type { StopReason, StopRequest } from './stop-request.js';

export async function settleLeftovers(
  group: ProcessGroup,
  policy: LeftoversPolicy,
  stop: StopRequest,
  clock: Clock,
): Promise<Pick<RunResult, 'leftovers' | 'leftoverProcesses' | 'report'>> {
  const leftovers = await group.members();
  const leftoverProcesses = await Promise.all(
    leftovers.map(async (pid) => ({ pid, command: await readCommandLine(pid) })),
  );
  if (leftovers.length === 0) return { leftovers, leftoverProcesses, report: undefined };
  if (policy === 'keep') group.spare();
  // 'wait': a tree that drained needs no shutdown; a stop request that came first still does.
  const drained = policy === 'wait' && (await waitUntilEmpty(group, stop.requested, clock)) === undefined;
  const report = policy === 'keep' || drained ? undefined : await group.shutdown();
  return { leftovers, leftoverProcesses, report };
}

/**
 * 'wait': ProcessGroup has no drain event, so members() is polled, quickly at first (a tree that ends right
 * after its leader is seen at once), then backing off to a ceiling low enough that a drain is noticed soon.
 */
const FIRST_POLL_MS = 5;
const POLL_CEILING_MS = 100;

/** Resolves undefined once the group has no live member, or with the stop reason if a stop is asked for first. */
export async function waitUntilEmpty(
  group: { members(): Promise<number[]> },
  stopRequested: Promise<StopReason>,
  clock: Clock,
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
