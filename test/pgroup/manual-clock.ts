/**
 * A clock that moves only when the test says: every sleep asked of it is
 * listed with its due time, and ends only on fireNext() (time jumps to its
 * due time). For the census's pace, which a self-advancing virtual clock
 * would run round after round whenever the test is idle.
 */
import type { Clock, Sleep } from '../../src/driver/clock.js';

export class ManualClock implements Clock {
  time = 0;
  pending: { due: number; end: () => void }[] = [];
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Sleep {
    this.sleeps.push(ms);
    let end!: () => void;
    const promise = new Promise<void>((resolve) => (end = resolve));
    const entry = { due: this.time + ms, end };
    this.pending.push(entry);
    return {
      promise,
      cancel: () => {
        this.pending = this.pending.filter((other) => other !== entry);
        end();
      },
    };
  }

  /** End the one pending sleep (time jumps to its due time), and let what awaited it run. */
  async fireNext(): Promise<void> {
    if (this.pending.length !== 1) throw new Error(`expected one pending sleep, found ${this.pending.length}`);
    const [next] = this.pending;
    this.pending = [];
    this.time = next!.due;
    next!.end();
    await Promise.resolve();
    await Promise.resolve();
  }
}
