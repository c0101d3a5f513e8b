/**
 * The census: every open fallback group walks its tree now and then on its
 * own, so the guard learns of members that cleared their environment and
 * left the process group before this process can be SIGKILLed. One timer
 * serves every group of the process, and their walks share one /proc scan
 * (process-table.ts): 200 open groups cost one scan per interval, not 200.
 */

/**
 * How often each open group is walked: the bound on how long a member that
 * hides from the guard's other checks can go unseen.
 */
export const CENSUS_INTERVAL_MS = 1000;

const rounds = new Set<() => void>();
let timer: NodeJS.Timeout | undefined;

/** Run `round` at every census until the returned function is called. */
export function joinCensus(round: () => void): () => void {
  rounds.add(round);
  if (timer === undefined) {
    timer = setInterval(takeCensus, CENSUS_INTERVAL_MS);
    // The census must never be what keeps a process alive.
    timer.unref();
  }
  return () => {
    rounds.delete(round);
    if (rounds.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

function takeCensus(): void {
  for (const round of [...rounds]) round();
}
