import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Clock } from '../driver/clock.js';
import type { GracefulTarget } from '../driver/target.js';
import type { GuardRecord } from '../guard/record.js';

export type MechanismName = 'cgroup' | 'pgroup';

/** Resource use of the tree. A figure the host cannot give is absent, never 0. */
export interface GroupStats {
  /** Live members now. */
  processes: number;
  /** CPU time used by the tree (cgroup: including members that already exited). */
  cpuUsageMs?: number;
  /** Memory charged to the tree (cgroup memory controller). */
  memoryBytes?: number;
  /** The most memory ever charged to the tree (cgroup memory controller, memory.peak: Linux 5.19+). */
  peakMemoryBytes?: number;
  /** Most members at once (cgroup pids controller: pids.peak). */
  peakProcesses?: number;
}

/**
 * One containment mechanism's hold on one group: the GracefulTarget the
 * driver works with, plus what ProcessGroup needs to start children in it
 * and to let go of it.
 */
export interface Containment extends GracefulTarget {
  readonly mechanism: MechanismName;
  /** The one clock every wait of this containment runs on, given at its creation; its ProcessGroup's too. */
  readonly clock: Clock;
  /** The group's cgroup directory, under the cgroup mechanism. */
  readonly cgroupPath?: string;
  /**
   * Start a child inside the group, synchronously, exactly as
   * child_process.spawn would (same options, events and errors); the child
   * must be contained before it runs a single instruction of `file`.
   */
  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess;
  /**
   * Optional: spawn() through `execPrefix` (a command that execs the rest,
   * such as `setpriv --no-new-privs --`), run inside the mechanism's own
   * wrapper. Without it, the caller wraps the command and calls spawn().
   */
  spawnWithExecPrefix?(
    execPrefix: readonly string[],
    file: string,
    args: readonly string[],
    options: SpawnOptions,
  ): ChildProcess;
  /** Freeze every member (cgroup.freeze; SIGSTOP under pgroup). */
  suspend(): Promise<void>;
  /** Undo suspend(). */
  resume(): Promise<void>;
  stats(): Promise<GroupStats>;
  /** The stats of the whole run, read at its end: a figure of the live members only (pgroup's CPU time) is left out. */
  finalStats(): Promise<GroupStats>;
  /**
   * The mechanism's one teardown: SIGKILL the tree, wait for the drain (up to `killTimeout`; EKILL_TIMEOUT or
   * EKILL_FAILED past it), then let go of the OS resources (the cgroup subtree, removed deepest first, EBUSY
   * waited out, bounded: ECGROUP_REMOVE), on `clock`.
   */
  tearDown(killTimeout: number): Promise<void>;
  /** Let go of the group without killing: its members were stood down and keep running. */
  spare(): Promise<void>;
  /** tearDown() without yielding to the event loop, best effort, for process exit. */
  killSync(): void;
  /** What the guard must kill if this process dies (see src/guard). */
  guardRecords(): GuardRecord[];
  /**
   * Optional: call `onChange` when guardRecords() may have changed outside ProcessGroup's own calls (pgroup: the
   * census found new members, or a leader is about to be forked). Returns an unsubscribe function.
   */
  watchGuardRecords?(onChange: () => void): () => void;
}
