/**
 * A scripted GracefulTarget on a virtual clock: the tree "exits" a set time
 * after a given signal, or on its own at a set time, or never; deliveries
 * and the hard kill can be made to fail. Every call is logged with its
 * virtual time, so tests assert the driver's exact sequence.
 */
import type { GracefulTarget, SignalOptions } from '../../src/driver/target.js';
import type { SignalName } from '../../src/options/signals.js';
import type { VirtualClock } from './virtual-clock.js';

export interface FakeScript {
  /** Live member pids at the start (default [101, 102, 103]). */
  members?: number[];
  /** The tree drains this many ms after receiving this signal. */
  exitsOn?: Partial<Record<SignalName, number>>;
  /** The tree drains on its own at this virtual time. */
  drainsAt?: number;
  /** Delivering this signal throws. */
  signalFails?: Partial<Record<SignalName, Error>>;
  /** The hard kill: works (drains at once), fails (throws, nothing dies), fails-but-drains, survives (members outlive SIGKILL). */
  hardKill?: 'works' | 'fails' | 'fails-but-drains' | 'survives';
  /** Offer watch(): change events when the tree drains. */
  events?: boolean;
  /** isDrained() lags behind (a stale look): it answers false whatever happens; members() tells the truth. */
  isDrainedLags?: boolean;
}

export class FakeTarget implements GracefulTarget {
  readonly log: string[] = [];
  readonly #clock: VirtualClock;
  readonly #script: FakeScript;
  readonly #members: number[];
  #drainTime = Number.POSITIVE_INFINITY;
  #listeners = new Set<() => void>();
  watch?: (onChange: () => void) => () => void;

  constructor(clock: VirtualClock, script: FakeScript = {}) {
    this.#clock = clock;
    this.#script = script;
    this.#members = script.members ?? [101, 102, 103];
    if (this.#members.length === 0) this.#drainTime = 0;
    if (script.drainsAt !== undefined) this.#drainAt(script.drainsAt);
    if (script.events) {
      this.watch = (onChange) => {
        this.#listeners.add(onChange);
        return () => this.#listeners.delete(onChange);
      };
    }
  }

  get drained(): boolean {
    return this.#clock.now() >= this.#drainTime;
  }

  async signal(signal: SignalName, options: SignalOptions = {}): Promise<number> {
    this.log.push(`${this.#clock.now()} signal ${signal}`);
    const failure = this.#script.signalFails?.[signal];
    if (failure) throw failure;
    if (options.thenContinue) this.log.push(`${this.#clock.now()} signal SIGCONT`);
    const after = this.#script.exitsOn?.[signal];
    if (after !== undefined) this.#drainAt(this.#clock.now() + after);
    return this.drained ? 0 : this.#members.length;
  }

  async isDrained(): Promise<boolean> {
    return this.drained && !this.#script.isDrainedLags;
  }

  async hardKill(): Promise<void> {
    this.log.push(`${this.#clock.now()} hardKill`);
    const mode = this.#script.hardKill ?? 'works';
    if (mode === 'works' || mode === 'fails-but-drains') this.#drainAt(this.#clock.now());
    if (mode === 'fails' || mode === 'fails-but-drains') throw new Error('cgroup.kill: EACCES (scripted)');
  }

  async members(): Promise<number[]> {
    return this.drained ? [] : [...this.#members];
  }

  #drainAt(time: number): void {
    if (time >= this.#drainTime) return;
    this.#drainTime = time;
    this.#clock.at(time, () => {
      for (const listener of this.#listeners) listener();
    });
  }
}
