/**
 * A virtual clock for the driver's hermetic tests. Time moves only when the
 * code under test is idle: every sleep or scheduled callback is a timer, and
 * when no microtask is left (checked with setImmediate) the earliest timer
 * fires and `now()` jumps to its due time. So a 2-second grace runs in
 * microseconds, and every interleaving is exactly reproducible.
 */
import type { Clock, Sleep } from '../../src/driver/clock.js';

interface Timer {
  due: number;
  seq: number;
  fire: () => void;
}

export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers: Timer[] = [];
  #pumping = false;
  /** Every sleep() requested, in order: lets tests check the poll backoff. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number): Sleep {
    this.sleeps.push(ms);
    let done!: () => void;
    const promise = new Promise<void>((resolve) => (done = resolve));
    const timer = this.#add(ms, () => done());
    return {
      promise,
      cancel: () => {
        this.#remove(timer);
        done();
      },
    };
  }

  /** Run `callback` at virtual time `at` (absolute). */
  at(at: number, callback: () => void): void {
    this.#add(Math.max(0, at - this.#now), callback);
  }

  #add(ms: number, fire: () => void): Timer {
    const timer = { due: this.#now + Math.max(0, ms), seq: ++this.#seq, fire };
    this.#timers.push(timer);
    this.#pump();
    return timer;
  }

  #remove(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
  }

  /** When the code under test has gone idle, fire the earliest timer. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    setImmediate(() => {
      this.#pumping = false;
      if (this.#timers.length === 0) return;
      this.#timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.#timers.shift()!;
      this.#now = Math.max(this.#now, next.due);
      next.fire();
      if (this.#timers.length > 0) this.#pump();
    });
  }
}
