import type { SignalName } from '../options/signals.js';

export interface SignalOptions {
  /** Follow the signal with SIGCONT, so that a stopped member wakes up to act on it. */
  thenContinue?: boolean;
}

/**
 * What the driver needs from a containment mechanism (cgroup v2 or POSIX
 * process groups). Deliberately tiny: everything else the driver decides.
 */
export interface GracefulTarget {
  /**
   * Deliver `signal` to every live member of the tree, and with `thenContinue` SIGCONT right after it to each
   * member reached (in the same pass: one listing of the tree, one pidfd per member). Resolves with how many
   * processes `signal` reached. Members that vanish meanwhile are not an error; any other failure rejects with
   * ESIGNAL_FAILED.
   */
  signal(signal: SignalName, options?: SignalOptions): Promise<number>;
  /** True once no live (non-zombie) member is left. */
  isDrained(): Promise<boolean>;
  /** SIGKILL every member the mechanism contains. Rejects with EKILL_FAILED. */
  hardKill(): Promise<void>;
  /** The pids of the live members, for reports and errors. */
  members(): Promise<number[]>;
  /**
   * Optional change notification: call `onChange` whenever the drain state may
   * have changed (cgroup.events via inotify). Returns an unsubscribe function.
   * A target without it (or whose watch returns undefined: no notification
   * available right now) is polled with a backoff that starts near 1 ms.
   */
  watch?(onChange: () => void): (() => void) | undefined;
}
