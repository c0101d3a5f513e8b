/**
 * A scripted Containment: the FakeTarget plus spawn/teardown bookkeeping, so
 * ProcessGroup's lifecycle (latch, close, dispose) is tested without a
 * process. spawn() returns a bare EventEmitter standing in for a ChildProcess.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { hardKillAndWait } from '../../src/driver/graceful.js';
import type { Containment, GroupStats } from '../../src/mechanisms/containment.js';
import type { GuardRecord } from '../../src/guard/record.js';
import { FakeTarget, type FakeScript } from './fake-target.js';
import type { VirtualClock } from './virtual-clock.js';

export interface FakeContainmentScript extends FakeScript {
  releaseFails?: Error;
}

export class FakeContainment extends FakeTarget implements Containment {
  readonly mechanism = 'pgroup' as const;
  readonly spawned: string[] = [];
  readonly released: boolean[] = [];
  killSyncCalls = 0;
  readonly #releaseFails: Error | undefined;
  /** The containment's one clock, as a real one is given at creation. */
  readonly clock: VirtualClock;

  constructor(clock: VirtualClock, script: FakeContainmentScript = {}) {
    super(clock, script);
    this.clock = clock;
    this.#releaseFails = script.releaseFails;
  }

  spawn(file: string, args: readonly string[]): ChildProcess {
    this.spawned.push([file, ...args].join(' '));
    return new EventEmitter() as ChildProcess;
  }

  async suspend(): Promise<void> {}
  async resume(): Promise<void> {}

  async stats(): Promise<GroupStats> {
    return { processes: (await this.members()).length };
  }

  finalStats(): Promise<GroupStats> {
    return this.stats();
  }

  async tearDown(killTimeout: number): Promise<void> {
    await hardKillAndWait(this, killTimeout, this.clock);
    this.#release(false);
  }

  async spare(): Promise<void> {
    this.#release(true);
  }

  #release(spared: boolean): void {
    if (this.#releaseFails) throw this.#releaseFails;
    this.released.push(spared);
  }

  killSync(): void {
    this.killSyncCalls += 1;
  }

  guardRecords(): GuardRecord[] {
    return [];
  }
}
