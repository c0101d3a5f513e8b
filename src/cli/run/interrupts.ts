/**
 * What corral does when it is itself told to stop. The first SIGINT, SIGTERM
 * or SIGHUP starts a graceful shutdown of the whole tree (through run()'s
 * AbortSignal); a second one kills the tree at once, as a second Ctrl+C does
 * in most supervisors. corral then exits as a shell reports death by that
 * signal: 128 + its number (130, 143, 129).
 *
 * The handlers are installed before the command is spawned: a signal that
 * found Node's default action would kill corral and leave the tree behind.
 */
import { constants } from 'node:os';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export class Interrupts {
  readonly #controller = new AbortController();
  /** The first stop signal corral received, if any. */
  received: StopSignal | undefined;
  /** A second signal asked for the immediate kill. */
  forced = false;
  readonly #force: Array<() => void> = [];
  readonly #onSignal = (signal: StopSignal) => {
    if (this.received === undefined) {
      this.received = signal;
      this.#controller.abort(new Error(`corral received ${signal}`));
      return;
    }
    this.forced = true;
    for (const kill of this.#force) kill();
  };

  /** Aborted by the first stop signal. */
  readonly signal: AbortSignal = this.#controller.signal;

  /** The exit status that reports the first signal received (128 + n), or undefined. */
  get exitStatus(): number | undefined {
    return this.received === undefined ? undefined : 128 + constants.signals[this.received];
  }

  install(): void {
    for (const signal of STOP_SIGNALS) process.on(signal, this.#onSignal);
  }

  uninstall(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.#onSignal);
  }

  /** A tree (the command's, a server's) to kill at once on a second signal, even one that came before this. */
  onForce(group: { kill(): Promise<unknown> }): void {
    const kill = () => void group.kill().catch(() => undefined);
    this.#force.push(kill);
    if (this.forced) kill();
  }
}
