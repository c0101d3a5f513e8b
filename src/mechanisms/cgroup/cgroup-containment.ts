/**
 * The cgroup v2 mechanism: one cgroup directory per group. Every member is
 * placed in it before it runs (spawn-in-cgroup.ts), so a setsid, a double
 * fork or a new process group changes nothing: the kernel keeps them all in
 * the directory, or in cgroups they make inside it, and every operation here
 * covers that whole subtree (subtree.ts). A hard kill is `1` into
 * cgroup.kill, the drain is `populated 0` in cgroup.events (watched with
 * inotify), and the subtree is removed, deepest first, when the group is
 * released. close(), exit cleanup and `corral sweep` all tear a group down
 * through tearDown()/killSync() here, and the guard (src/guard/guard.sh)
 * does the same steps in the same order.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { systemClock, type Clock } from '../../driver/clock.js';
import { hardKillAndWait } from '../../driver/graceful.js';
import type { SignalOptions } from '../../driver/target.js';
import { CorralError, failure, type CorralErrorCode } from '../../errors.js';
import type { Containment, GroupStats } from '../containment.js';
import type { GuardRecord } from '../../guard/record.js';
import { hasLimits, type Limits } from '../../options/limits.js';
import type { SignalName } from '../../options/signals.js';
import { applyLimits } from './apply-limits.js';
import { realCgroupFs, type CgroupFs } from './cgroup-fs.js';
import { readEvents, readPopulatedSync, watchEvents } from './cgroup-events.js';
import { setFrozen } from './freeze.js';
import { formatGroupName, parseGroupName } from './group-name.js';
import { hardKillCgroup, hardKillCgroupSync } from './hard-kill.js';
import type { ProcSources } from './hierarchy.js';
import { makeGroupDir } from './make-group-dir.js';
import { primeMigration } from './migration-primer.js';
import { readStats } from './read-stats.js';
import { removeSubtree, removeSubtreeSync } from './remove-group-dir.js';
import { resolveParent } from './resolve-parent.js';
import { signalMembers } from './signal-members.js';
import { spareGroup } from './spare-group.js';
import { spawnInCgroup } from './spawn-in-cgroup.js';
import { readSubtreeMembers } from './subtree.js';

/** Test seams of the mechanism: the file operations, and the clock of all its waits (drain, freeze, EBUSY retry). */
export interface CgroupSeams {
  /** Default: the real file operations. */
  fs?: CgroupFs;
  /** Default: the system clock. */
  clock?: Clock;
}

export interface CgroupContainmentOptions extends CgroupSeams {
  /** Directory under which the group's cgroup is made (default: this process's own cgroup). */
  parent: string | undefined;
  limits: Limits | undefined;
  /** Test seam: where the mount table and our own cgroup are read from (default /proc/self/...). */
  procSources?: ProcSources;
}

/** How long killSync() waits, spinning, for the killed tree to drain before removing the directory. */
const KILL_SYNC_SPIN_MS = 500;

/**
 * Makes the group's cgroup directory (and sets its limits). Throws
 * ECGROUP_UNAVAILABLE when no writable cgroup v2 is reachable and
 * ELIMIT_UNENFORCEABLE when limits cannot be set; either way nothing is left behind.
 */
export async function createCgroupContainment(options: CgroupContainmentOptions): Promise<CgroupContainment> {
  const fs = options.fs ?? realCgroupFs;
  const parent = resolveParent(options.parent, options.procSources);
  // A first spawn follows; a test playing another host (procSources) is not this process's real cgroup.
  // Without cgroupParent, the parent is our own cgroup, just located.
  if (options.procSources === undefined) primeMigration(options.parent === undefined ? parent : undefined);
  const dir = await makeGroupDir(fs, parent);
  if (hasLimits(options.limits)) {
    try {
      await applyLimits(fs, dir, options.limits);
    } catch (error) {
      await fs.rmdir(dir).catch(() => {});
      throw error;
    }
  }
  return new CgroupContainment(dir, options);
}

export class CgroupContainment implements Containment {
  readonly mechanism = 'cgroup' as const;
  readonly cgroupPath: string;
  readonly #fs: CgroupFs;
  readonly clock: Clock;

  /** `dir` exists already: made by createCgroupContainment(), or a dead owner's group that `corral sweep` tears down. */
  constructor(dir: string, seams: CgroupSeams) {
    this.cgroupPath = dir;
    this.#fs = seams.fs ?? realCgroupFs;
    this.clock = seams.clock ?? systemClock;
  }

  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    return spawnInCgroup(this.#fs, this.cgroupPath, file, args, options);
  }

  spawnWithExecPrefix(
    execPrefix: readonly string[],
    file: string,
    args: readonly string[],
    options: SpawnOptions,
  ): ChildProcess {
    return spawnInCgroup(this.#fs, this.cgroupPath, file, args, options, execPrefix);
  }

  signal(signal: SignalName, options?: SignalOptions): Promise<number> {
    return this.#call('ESIGNAL_FAILED', `sending ${signal} to the members`, () =>
      signalMembers(this.#fs, this.cgroupPath, signal, options),
    );
  }

  isDrained(): Promise<boolean> {
    return this.#call(
      'EREAD_FAILED',
      'reading cgroup.events',
      async () => !(await readEvents(this.#fs, this.cgroupPath)).populated,
    );
  }

  hardKill(): Promise<void> {
    return hardKillCgroup(this.#fs, this.cgroupPath, this.clock);
  }

  members(): Promise<number[]> {
    return this.#call('EREAD_FAILED', 'listing the members', async () => readSubtreeMembers(this.#fs, this.cgroupPath));
  }

  watch(onChange: () => void): () => void {
    return watchEvents(this.cgroupPath, onChange);
  }

  suspend(): Promise<void> {
    return setFrozen(this.#fs, this.cgroupPath, true, this.clock);
  }

  resume(): Promise<void> {
    return setFrozen(this.#fs, this.cgroupPath, false, this.clock);
  }

  stats(): Promise<GroupStats> {
    return this.#call('EREAD_FAILED', 'reading the statistics', () => readStats(this.#fs, this.cgroupPath));
  }

  /** cpu.stat counts the members that already exited, and the peaks are the most the tree ever held. */
  finalStats(): Promise<GroupStats> {
    return this.stats();
  }

  /** The one teardown: SIGKILL the subtree, wait (bounded) for its drain, remove it deepest first; on its one clock. */
  async tearDown(killTimeout: number): Promise<void> {
    await hardKillAndWait(this, killTimeout, this.clock);
    await removeSubtree(this.#fs, this.cgroupPath, this.clock);
  }

  spare(): Promise<void> {
    const dir = this.cgroupPath;
    const name = parseGroupName(basename(dir));
    const sparedName = name ? formatGroupName({ ...name, spared: true }) : `${basename(dir)}-spared`;
    return spareGroup(this.#fs, dir, join(dirname(dir), sparedName), this.clock);
  }

  /** tearDown() without yielding, for process exit: the same steps, the drain waited for by spinning. */
  killSync(): void {
    hardKillCgroupSync(this.#fs, this.cgroupPath);
    const deadline = performance.now() + KILL_SYNC_SPIN_MS;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (readPopulatedSync(this.#fs, this.cgroupPath) && performance.now() < deadline) Atomics.wait(pause, 0, 0, 1);
    removeSubtreeSync(this.#fs, this.cgroupPath);
  }

  guardRecords(): GuardRecord[] {
    return [{ kind: 'cgroup', path: this.cgroupPath }];
  }

  /** Every public call rejects with a CorralError, never with a raw fs error. */
  async #call<T>(code: CorralErrorCode, what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof CorralError) throw error;
      throw failure(code, `${what} of ${this.cgroupPath} failed`, error, { path: this.cgroupPath });
    }
  }
}
