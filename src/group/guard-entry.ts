/**
 * One group's entry with the guard, kept in one place: the guard knows the
 * group's records for as long as close() or exit cleanup would kill its
 * tree (open, and no stand-down holds), and forgets them otherwise. sync()
 * is called after whatever may change that (a spawn, a shutdown, spare(),
 * close()), and whenever the mechanism says its records changed on their
 * own (pgroup: its walk found new members); the guard skips unchanged
 * records, so a sync that changes nothing sends nothing.
 */
import type { GroupGuard } from '../guard/group-guard.js';
import type { Containment } from '../mechanisms/containment.js';

export class GuardEntry {
  readonly #guard: GroupGuard;
  readonly #id: string;
  readonly #containment: Containment;
  readonly #armed: () => boolean;
  readonly #unwatch: (() => void) | undefined;

  /** `armed`: whether the tree would be killed on close now. */
  constructor(guard: GroupGuard, id: string, containment: Containment, armed: () => boolean) {
    this.#guard = guard;
    this.#id = id;
    this.#containment = containment;
    this.#armed = armed;
    this.sync();
    this.#unwatch = containment.watchGuardRecords?.(() => this.sync());
  }

  sync(): void {
    if (this.#armed()) this.#guard.track(this.#id, this.#containment.guardRecords());
    else this.#guard.untrack(this.#id);
  }

  /** The group is closed: forget it and stop listening. */
  dispose(): void {
    this.#unwatch?.();
    this.#guard.untrack(this.#id);
  }
}
