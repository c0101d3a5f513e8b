/**
 * The cgroup v2 mechanism: one cgroup directory per group. Every member is
 * placed in it before it runs (spawn-in-cgroup.ts), so a setsid, a double
 * fork or a new process group changes nothing: the kernel keeps them all in
 * the directory. A hard kill is `1` into cgroup.kill, the drain is
 * `populated 0` in cgroup.events (watched with inotify), and the directory
 * is removed when the group is released.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { errnoOf } from '../../errors.js';
import type { Containment, GroupStats } from '../../group/containment.js';
import type { GuardRecord } from '../../guard/record.js';
import { hasLimits, type Limits } from '../../options/limits.js';
import type { SignalOptions } from '../../driver/target.js';
import type { SignalName } from '../../options/signals.js';
import { applyLimits } from './apply-limits.js';
import { realCgroupFs, type CgroupFs } from './cgroup-fs.js';
import { readEvents, readPopulatedSync, watchEvents } from './cgroup-events.js';
import { setFrozen } from './freeze.js';
import { formatGroupName, parseGroupName } from './group-name.js';
import { hardKillCgroup, hardKillCgroupSync } from './hard-kill.js';
import type { ProcSources } from './hierarchy.js';
import { makeGroupDir } from './make-group-dir.js';
import { readStats } from './read-stats.js';
import { removeGroupDir, removeGroupDirSync } from './remove-group-dir.js';
import { resolveParent } from './resolve-parent.js';
import { readMembers, signalMembers } from './signal-members.js';
import { spareGroup } from './spare-group.js';
import { spawnInCgroup } from './spawn-in-cgroup.js';

export interface CgroupContainmentOptions {
  /** Directory under which the group's cgroup is made (default: this process's own cgroup). */
  parent: string | undefined;
  limits: Limits | undefined;
  /** Test seam: the file operations (default: the real ones). */
  fs?: CgroupFs;
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
export async function createCgroupContainment(options: CgroupContainmentOptions): Promise<Containment> {
  const fs = options.fs ?? realCgroupFs;
  const dir = await makeGroupDir(fs, resolveParent(options.parent, options.procSources));
  if (hasLimits(options.limits)) {
    try {
      await applyLimits(fs, dir, options.limits);
    } catch (error) {
      await fs.rmdir(dir).catch(() => {});
      throw error;
    }
  }
  return new CgroupContainment(fs, dir);
}

class CgroupContainment implements Containment {
  readonly mechanism = 'cgroup' as const;
  readonly #fs: CgroupFs;
  readonly #dir: string;

  constructor(fs: CgroupFs, dir: string) {
    this.#fs = fs;
    this.#dir = dir;
  }

  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    return spawnInCgroup(this.#fs, this.#dir, file, args, options);
  }

  signal(signal: SignalName, options?: SignalOptions): Promise<number> {
    return signalMembers(this.#fs, this.#dir, signal, options);
  }

  async isDrained(): Promise<boolean> {
    return !(await readEvents(this.#fs, this.#dir)).populated;
  }

  hardKill(): Promise<void> {
    return hardKillCgroup(this.#fs, this.#dir);
  }

  async members(): Promise<number[]> {
    try {
      return await readMembers(this.#fs, this.#dir);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw error;
    }
  }

  watch(onChange: () => void): () => void {
    return watchEvents(this.#dir, onChange);
  }

  suspend(): Promise<void> {
    return setFrozen(this.#fs, this.#dir, true);
  }

  resume(): Promise<void> {
    return setFrozen(this.#fs, this.#dir, false);
  }

  stats(): Promise<GroupStats> {
    return readStats(this.#fs, this.#dir);
  }

  async release(spare: boolean): Promise<void> {
    if (!spare) return removeGroupDir(this.#fs, this.#dir);
    const name = parseGroupName(basename(this.#dir));
    const sparedName = name ? formatGroupName({ ...name, spared: true }) : `${basename(this.#dir)}-spared`;
    return spareGroup(this.#fs, this.#dir, join(dirname(this.#dir), sparedName));
  }

  killSync(): void {
    hardKillCgroupSync(this.#fs, this.#dir);
    const deadline = performance.now() + KILL_SYNC_SPIN_MS;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (readPopulatedSync(this.#fs, this.#dir) && performance.now() < deadline) Atomics.wait(pause, 0, 0, 1);
    removeGroupDirSync(this.#fs, this.#dir);
  }

  guardRecords(): GuardRecord[] {
    return [{ kind: 'cgroup', path: this.#dir }];
  }
}
