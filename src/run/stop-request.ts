/**
 * What can ask run() to stop the tree before it ends on its own: the timeout running out ('timeout'), the
 * caller's AbortSignal ('cancel'), and through request() a server exiting while the command runs ('server')
 * or the tree writing nothing for idleTimeout ('idle'). Whichever comes first wins and is remembered; once
 * disposed, none can fire any more, so a late timer cannot claim a stop it did not cause. The timeout runs
 * on the injected Clock (run()'s tests open it once the tree is up).
 */
import type { Clock } from '../driver/clock.js';

export type StopReason = 'timeout' | 'cancel' | 'server' | 'idle';

export class StopRequest {
  /** Resolves with the reason once a stop is asked for; never, if none is. */
  readonly requested: Promise<StopReason>;
  readonly #fire: (reason: StopReason) => void;
  #reason: StopReason | undefined;
  #disposed = false;
  /** Cancels the timer and stops listening to the signal. */
  readonly #detach: Array<() => void> = [];

  constructor(timeoutMs: number | undefined, signal: AbortSignal | undefined, clock: Clock) {
    let fire!: (reason: StopReason) => void;
    this.requested = new Promise((resolve) => {
      fire = (reason) => {
        if (this.#disposed || this.#reason !== undefined) return;
        this.#reason = reason;
        resolve(reason);
      };
    });
    this.#fire = fire;
    if (timeoutMs !== undefined) {
      const timer = clock.sleep(timeoutMs);
      // dispose() cancels the sleep, which resolves it: #disposed is set first, so it fires nothing.
      void timer.promise.then(() => fire('timeout'));
      this.#detach.push(() => timer.cancel());
    }
    if (signal?.aborted) fire('cancel');
    else if (signal !== undefined) {
      const onAbort = () => fire('cancel');
      signal.addEventListener('abort', onAbort, { once: true });
      this.#detach.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  /** Why the stop was asked for, or undefined if it was not. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Asks for a stop for `reason`; true if this is the stop (none came first, not disposed). */
  request(reason: StopReason): boolean {
    this.#fire(reason);
    return this.#reason === reason;
  }

  dispose(): void {
    this.#disposed = true;
    for (const detach of this.#detach) detach();
  }
}
