/**
 * ProcessGroup: the public handle on one contained process tree. It owns the
 * lifecycle (create, spawn, signal, shutdown, kill, close) and the
 * skipDropKill latch; the mechanism (cgroup v2 or process groups) does the
 * work behind the Containment interface, and the shared driver decides how a
 * shutdown escalates or stands down.
 */
import type { ChildProcess } from 'node:child_process';
import { systemClock } from '../driver/clock.js';
import { hardKillAndWait, shutdownTree, type ShutdownReport } from '../driver/graceful.js';
import { StandDownLatch } from '../driver/latch.js';
import { groupClosed } from '../errors.js';
import { acquireGuard } from '../guard/group-guard.js';
import {
  resolveCreateOptions,
  resolveShutdownPlan,
  type CreateOptions,
  type ResolvedCreateOptions,
  type ShutdownOptions,
} from '../options/group-options.js';
import { parseSignal } from '../options/signals.js';
import type { Containment, GroupStats, MechanismName } from '../mechanisms/containment.js';
import { GuardEntry } from './guard-entry.js';
import { registerForExitCleanup, unregisterFromExitCleanup, type ExitCleanupEntry } from './exit-cleanup.js';
import { checkNoNewPrivileges, spawnWithoutNewPrivileges, type GroupSpawnOptions } from './no-new-privileges.js';
import { selectMechanism, type Selection } from './select-mechanism.js';
import type { CgroupOrigin } from '../mechanisms/cgroup/index.js';
import { normalizeSpawnArguments } from './spawn-arguments.js';

let groupCounter = 0;

export class ProcessGroup implements AsyncDisposable {
  readonly #containment: Containment;
  readonly #options: ResolvedCreateOptions;
  readonly #latch = new StandDownLatch();
  readonly #guard: GuardEntry | undefined;
  readonly #exitEntry: ExitCleanupEntry;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** Why 'auto' did not get cgroup v2 (and what it tried), or undefined. */
  readonly fallbackReason: string | undefined;
  /** Where the group's cgroup came from (own cgroup, cgroupParent, a systemd scope); undefined under pgroup. */
  readonly cgroupOrigin: CgroupOrigin | undefined;

  private constructor({ containment, fallbackReason, cgroupOrigin }: Selection, options: ResolvedCreateOptions) {
    this.#containment = containment;
    this.#options = options;
    this.fallbackReason = fallbackReason;
    this.cgroupOrigin = cgroupOrigin;
    this.#exitEntry = { spare: () => this.#latch.skipDropKill, killSync: () => containment.killSync() };
    registerForExitCleanup(this.#exitEntry);
    const id = `${process.pid}-${++groupCounter}`;
    this.#guard = options.guard
      ? new GuardEntry(acquireGuard(), id, containment, () => !this.#closed && !this.#latch.skipDropKill)
      : undefined;
  }

  /**
   * Make a new, empty group. Options are checked before anything is touched;
   * when this process's own cgroup is not writable, a delegated systemd
   * scope is asked for first (unless `systemdScope: false`); with mechanism
   * 'auto' a host without usable cgroup v2 falls back to process groups and
   * says why in `fallbackReason`.
   */
  static async create(options: CreateOptions = {}): Promise<ProcessGroup> {
    const resolved = resolveCreateOptions(options);
    return new ProcessGroup(await selectMechanism(resolved, systemClock), resolved);
  }

  /** Wrap an existing Containment (tests, advanced embedding: a fake target); the group's waits run on its clock. */
  static fromContainment(containment: Containment, options: CreateOptions = {}): ProcessGroup {
    return new ProcessGroup({ containment }, resolveCreateOptions({ guard: false, ...options }));
  }

  /** The mechanism this group really uses. */
  get mechanism(): MechanismName {
    return this.#containment.mechanism;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True while a stand-down holds: close() and exit cleanup will spare the tree. */
  get skipDropKill(): boolean {
    return this.#latch.skipDropKill;
  }

  /** Where the group lives: its cgroup directory (cgroup) or undefined (pgroup). */
  get cgroupPath(): string | undefined {
    return this.#containment.cgroupPath;
  }

  /**
   * Start a process inside the group, as child_process.spawn does (same
   * arguments, options, events and errors). A spawn re-arms kill-on-close
   * after a stand-down. `noNewPrivileges: true` starts the child with
   * PR_SET_NO_NEW_PRIVS (see no-new-privileges.ts).
   */
  spawn(command: string, options?: GroupSpawnOptions): ChildProcess;
  spawn(command: string, args?: readonly string[], options?: GroupSpawnOptions): ChildProcess;
  spawn(
    command: string,
    argsOrOptions?: readonly string[] | GroupSpawnOptions,
    options?: GroupSpawnOptions,
  ): ChildProcess {
    this.#assertOpen('spawn');
    const { file, args, options: given } = normalizeSpawnArguments(command, argsOrOptions, options);
    const { noNewPrivileges, ...spawnOptions } = given as GroupSpawnOptions;
    checkNoNewPrivileges(noNewPrivileges);
    this.#latch.noteSpawn();
    const child = noNewPrivileges
      ? spawnWithoutNewPrivileges(this.#containment, file, args, spawnOptions)
      : this.#containment.spawn(file, args, spawnOptions);
    // New pgroup records, or a group guarded again after a stand-down.
    this.#guard?.sync();
    return child;
  }

  /** Send `signal` (default: the group's killSignal) to every member of the tree. */
  async signal(signal: NodeJS.Signals | number = this.#options.killSignal): Promise<number> {
    this.#assertOpen('signal');
    return this.#containment.signal(parseSignal(signal));
  }

  /**
   * Graceful shutdown: the signal (and SIGCONT) to the whole tree, a wait for
   * the drain, then SIGKILL for survivors (escalate) or a stand-down. See
   * src/driver/graceful.ts for the whole algorithm.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    const plan = resolveShutdownPlan(options, this.#options);
    this.#assertOpen('shutdown');
    const report = await shutdownTree(this.#containment, plan, { clock: this.#containment.clock, latch: this.#latch });
    // A stood-down tree is spared by close() and exit cleanup: the guard must spare it too.
    this.#guard?.sync();
    return report;
  }

  /** SIGKILL the whole tree; resolves once it has drained (EKILL_TIMEOUT if members outlive killTimeout). */
  async kill(): Promise<void> {
    if (this.#closed) return;
    await hardKillAndWait(this.#containment, this.#options.killTimeout, this.#containment.clock);
  }

  /** Pids of the live members. */
  async members(): Promise<number[]> {
    if (this.#closed) return [];
    return this.#containment.members();
  }

  /** Resource use of the tree; fields the host cannot give are absent. */
  async stats(): Promise<GroupStats> {
    this.#assertOpen('stats');
    return this.#containment.stats();
  }

  /**
   * The stats that describe the whole life of the group, for a report at its
   * end: under cgroup those of stats() (CPU time of every member that ran,
   * the peaks); process groups give no CPU time here, as theirs counts only
   * the members still alive.
   */
  async finalStats(): Promise<GroupStats> {
    this.#assertOpen('finalStats');
    return this.#containment.finalStats();
  }

  /** Freeze the whole tree (cgroup.freeze, or SIGSTOP under pgroup). */
  async suspend(): Promise<void> {
    this.#assertOpen('suspend');
    await this.#containment.suspend();
  }

  async resume(): Promise<void> {
    this.#assertOpen('resume');
    await this.#containment.resume();
  }

  /**
   * Stand down without sending any signal: close() and exit cleanup will
   * leave the current members running (run()'s `leftovers: 'keep'`). A later
   * spawn re-arms the kill, as after any stand-down.
   */
  spare(): void {
    this.#assertOpen('spare');
    this.#latch.requestStandDown(this.#latch.generation);
    this.#guard?.sync();
  }

  /**
   * Tear the tree down (kill, drain, remove its cgroup subtree) unless a
   * stand-down holds, in which case it is spared. Idempotent; concurrent calls share one close.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    const spare = this.#latch.skipDropKill;
    try {
      if (spare) await this.#containment.spare();
      else await this.#containment.tearDown(this.#options.killTimeout);
    } catch (error) {
      // The tree (or its directory) is still there: stay open, stay guarded
      // and registered for exit cleanup, and let the caller retry close().
      this.#closing = undefined;
      throw error;
    }
    this.#closed = true;
    unregisterFromExitCleanup(this.#exitEntry);
    this.#guard?.dispose();
  }

  #assertOpen(operation: string): void {
    if (this.#closed || this.#closing) throw groupClosed(operation);
  }
}
