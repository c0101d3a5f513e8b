/**
 * run()'s `idleTimeout`: the tree is idle when it has written nothing on
 * stdout or stderr for that long. Each chunk only notes the time it came
 * (no timer churn per chunk); one sleep on the injected Clock runs until
 * the last output plus the timeout, and on waking either finds the tree
 * idle or sleeps again for what is left. So output resets the clock, and the
 * verdict is tested on the virtual clock.
 */
import type { Readable } from 'node:stream';
import type { Clock, Sleep } from '../driver/clock.js';

export class IdleWatch {
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #streams: Readable[];
  readonly #onOutput = () => (this.#lastOutput = this.#clock.now());
  #lastOutput: number;
  #sleep: Sleep | undefined;
  #disposed = false;

  /** Calls `onIdle` with how long the tree had been silent, once it has been for `idleMs`. */
  constructor(
    clock: Clock,
    idleMs: number,
    streams: ReadonlyArray<Readable | null | undefined>,
    readonly onIdle: (silentMs: number) => void,
  ) {
    this.#clock = clock;
    this.#idleMs = idleMs;
    this.#streams = streams.filter((stream): stream is Readable => Boolean(stream));
    this.#lastOutput = clock.now();
    for (const stream of this.#streams) stream.on('data', this.#onOutput);
    void this.#watch();
  }

  async #watch(): Promise<void> {
    for (;;) {
      const left = this.#lastOutput + this.#idleMs - this.#clock.now();
      if (left <= 0) break;
      this.#sleep = this.#clock.sleep(left);
      await this.#sleep.promise;
      if (this.#disposed) return;
    }
    const silentMs = this.#clock.now() - this.#lastOutput;
    this.dispose();
    this.onIdle(silentMs);
  }

  dispose(): void {
    this.#disposed = true;
    this.#sleep?.cancel();
    for (const stream of this.#streams) stream.off('data', this.#onOutput);
  }
}
