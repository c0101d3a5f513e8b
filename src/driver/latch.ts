/**
 * The skipDropKill latch: once set, the group's disposal (close(), exit
 * cleanup, the guard) spares the tree instead of killing it.
 *
 * A shutdown that stands down must not spare processes it never saw. So the
 * latch carries a generation that every spawn bumps: a shutdown takes the
 * generation before it signals, and its stand-down only sets the latch if no
 * spawn happened in between. A spawn after a stand-down re-arms the kill.
 */
export class StandDownLatch {
  #generation = 0;
  #skipDropKill = false;

  /** Bumped by every spawn. */
  get generation(): number {
    return this.#generation;
  }

  /** True while disposal must spare the tree. */
  get skipDropKill(): boolean {
    return this.#skipDropKill;
  }

  /** A new member joined: whatever stood down before no longer covers the tree. */
  noteSpawn(): void {
    this.#generation += 1;
    this.#skipDropKill = false;
  }

  /** Sets the latch if `generation` is still current; says whether it did. */
  requestStandDown(generation: number): boolean {
    if (generation !== this.#generation) return false;
    this.#skipDropKill = true;
    return true;
  }
}
