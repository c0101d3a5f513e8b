/**
 * The census: every open fallback group walks its tree now and then on its
 * own, so the guard learns of members that cleared their environment and
 * left the process group before this process can be SIGKILLed. One timer
 * serves every group of the process, and their walks share one /proc scan
 * (process-table.ts): 200 open groups cost one scan per round, not 200.
 *
 * The pace: a round starts CENSUS_INTERVAL_MS after the last one ended, or
 * CENSUS_PAUSE_PER_ROUND times as long as that round took, whichever is
 * longer. A round is one scan of every process plus the walks, so its cost
 * grows with the machine's process count and falls with its speed. On this
 * host a round over a 1000-process tree takes milliseconds and the pace is
 * once a second. In the TCG test guest the same round takes over a second,
 * and a fixed one-second timer had the census alone fill a CPU, slowing
 * down the very tree it watched. Paced, it takes at most a tenth of a CPU.
 */

/**
 * The shortest pause between two rounds: on a fast machine, the bound on
 * how long a member that hides from the guard's other checks goes unseen.
 */
export const CENSUS_INTERVAL_MS = 1000;

/** After a round that took d ms, the next waits at least this many times d. */
export const CENSUS_PAUSE_PER_ROUND = 9;

/** What the census needs of time: a monotonic now, and a timer it can cancel that never keeps the process alive. */
export interface CensusTimer {
  now(): number;
  after(ms: number, fire: () => void): () => void;
}

const realTimer: CensusTimer = {
  now: () => performance.now(),
  after(ms, fire) {
    const timer = setTimeout(fire, ms);
    // The census must never be what keeps a process alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** The pause after a round that took `tookMs`. */
export function censusPause(tookMs: number, intervalMs = CENSUS_INTERVAL_MS): number {
  return Math.max(intervalMs, CENSUS_PAUSE_PER_ROUND * tookMs);
}

export class Census {
  readonly #timer: CensusTimer;
  readonly #intervalMs: number;
  readonly #rounds = new Set<() => void>();
  #cancel: (() => void) | undefined;
  #taking = false;

  constructor(timer: CensusTimer = realTimer, intervalMs = CENSUS_INTERVAL_MS) {
    this.#timer = timer;
    this.#intervalMs = intervalMs;
  }

  /** Run `round` at every round until the returned function is called. */
  join(round: () => void): () => void {
    this.#rounds.add(round);
    if (this.#cancel === undefined && !this.#taking) this.#schedule(this.#intervalMs);
    return () => {
      this.#rounds.delete(round);
      if (this.#rounds.size === 0) {
        this.#cancel?.();
        this.#cancel = undefined;
      }
    };
  }

  #schedule(ms: number): void {
    this.#cancel = this.#timer.after(ms, () => this.#take());
  }

  #take(): void {
    this.#cancel = undefined;
    this.#taking = true;
    const started = this.#timer.now();
    try {
      // A copy: a round may leave, or another group join, during the round.
      for (const round of [...this.#rounds]) round();
    } finally {
      this.#taking = false;
      if (this.#rounds.size > 0) this.#schedule(censusPause(this.#timer.now() - started, this.#intervalMs));
    }
  }
}

const processCensus = new Census();

/** Join this process's census: `round` runs at every round until the returned function is called. */
export function joinCensus(round: () => void): () => void {
  return processCensus.join(round);
}
