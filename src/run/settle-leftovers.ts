/**
 * run()'s second stage, when the leader exited on its own: whatever of its
 * tree still runs is the leftovers, named before anything is stopped (after
 * a shutdown there is nothing left to read). Then, by the `leftovers`
 * policy: 'kill' shuts them down the group's graceful way, 'wait' waits for
 * them to drain (a stop request still cuts the wait short, and shuts them
 * down), 'keep' spares them.
 */
import type { Clock } from '../driver/clock.js';
import type { ShutdownReport } from '../driver/graceful.js';
import type { ProcessGroup } from '../group/process-group.js';
import { readCommandLine } from '../proc/cmdline.js';
import type { LeftoverProcess } from './run-result.js';
import type { LeftoversPolicy } from './run-options.js';
import type { StopRequest } from './stop-request.js';
import { waitUntilEmpty } from './wait-until-empty.js';

export interface SettledLeftovers {
  leftovers: number[];
  leftoverProcesses: LeftoverProcess[];
  /** The shutdown's report, when one ran. */
  report: ShutdownReport | undefined;
}

export async function settleLeftovers(
  group: ProcessGroup,
  policy: LeftoversPolicy,
  stop: StopRequest,
  clock: Clock,
): Promise<SettledLeftovers> {
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
