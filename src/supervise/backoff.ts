/**
 * The delay before the next restart: exponential backoff with a cap and
 * jitter, reset by a run that stayed up long enough (`resetAfter`). The n-th
 * restart in a row (n = 0, 1, 2...) waits min(maxDelay, initialDelay *
 * factor^n), scaled by a random factor in [1 - jitter, 1 + jitter] and cut to
 * maxDelay again, so a crash loop slows down geometrically, several
 * supervisors restarting at once do not do it in lockstep, and no wait exceeds
 * the cap. Pure: the caller measures uptime on its clock and supplies the
 * random source.
 */
export interface BackoffPlan {
  /** Milliseconds before the first restart (default 100). */
  initialDelay: number;
  /** Each further restart in a row waits this many times longer (default 2; at least 1). */
  factor: number;
  /** The longest delay (default 30 000 ms). */
  maxDelay: number;
  /** 0 to 1: each delay is scaled by a random factor within ±jitter (default 0.1). */
  jitter: number;
  /** A run up for at least this many ms resets the delay to initialDelay (default 10 000). */
  resetAfter: number;
}

export class Backoff {
  readonly #plan: BackoffPlan;
  readonly #random: () => number;
  #inARow = 0;

  constructor(plan: BackoffPlan, random: () => number = Math.random) {
    this.#plan = plan;
    this.#random = random;
  }

  /** The delay before the restart that follows a run which was up `uptimeMs`. */
  next(uptimeMs: number): number {
    const { initialDelay, factor, maxDelay, jitter, resetAfter } = this.#plan;
    if (uptimeMs >= resetAfter) this.#inARow = 0;
    const base = Math.min(maxDelay, initialDelay * factor ** this.#inARow);
    this.#inARow++;
    const scale = 1 - jitter + 2 * jitter * this.#random();
    return Math.max(0, Math.min(maxDelay, Math.round(base * scale)));
  }
}
