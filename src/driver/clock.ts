import { MAX_TIMER_MS } from '../options/durations.js';

/** A sleep that can be cut short; `cancel` resolves it at once. */
export interface Sleep {
  readonly promise: Promise<void>;
  cancel(): void;
}

/**
 * Time as the driver sees it. Injected so that the driver's tests run on a
 * virtual clock: no real waiting, and every interleaving is reproducible.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale; only differences matter. */
  now(): number;
  /** `background`: the wait alone never keeps the process alive (a periodic chore, not an awaited deadline). */
  sleep(ms: number, options?: { background?: boolean }): Sleep;
}

/** The real clock: performance.now() and timers (unref'd for a background sleep). */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep(ms, options) {
    let timer: NodeJS.Timeout | undefined;
    let done!: () => void;
    const promise = new Promise<void>((resolve) => {
      done = resolve;
      timer = setTimeout(resolve, Math.max(0, Math.min(ms, MAX_TIMER_MS)));
      if (options?.background) timer.unref();
    });
    return {
      promise,
      cancel() {
        clearTimeout(timer);
        done();
      },
    };
  },
};
