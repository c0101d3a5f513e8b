/**
 * A clock for tests of code that starts its own timeout against a real
 * process tree (run()'s `timeout`): the first sleep asked of it (the
 * timeout) runs out only when the test opens the gate, once the tree is in
 * the shape the test needs, however slow the machine. Every later sleep (a
 * poll, a backoff) is real. So no verdict depends on guessing how long a
 * machine takes to start a tree.
 */
import { systemClock, type Clock, type Sleep } from '../../src/driver/clock.js';

export interface GatedClock {
  readonly clock: Clock;
  /** Resolves with the milliseconds of the gated sleep once it is asked for. */
  readonly asked: Promise<number>;
  /** The gated sleep runs out now. */
  open(): void;
}

export function gatedClock(): GatedClock {
  let ask!: (ms: number) => void;
  const asked = new Promise<number>((resolve) => (ask = resolve));
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let gated = false;
  const clock: Clock = {
    now: () => systemClock.now(),
    sleep(ms: number): Sleep {
      if (gated) return systemClock.sleep(ms);
      gated = true;
      ask(ms);
      let cancel!: () => void;
      const promise = new Promise<void>((resolve) => {
        cancel = resolve;
        void opened.then(resolve);
      });
      return { promise, cancel };
    },
  };
  return { clock, asked, open: release };
}
