/** What run() resolves with. */
import type { ShutdownReport } from '../driver/graceful.js';
import type { CgroupOrigin } from '../mechanisms/cgroup/index.js';
import type { GroupStats, MechanismName } from '../mechanisms/containment.js';
import type { OutputBytes } from './capture-output.js';
import type { ServerFailure, ServerReport } from './servers/server-set.js';

export interface RunResult<Output extends string | Buffer = string> {
  /** The leader's exit code, or null when it died of a signal (or was left running). */
  exitCode: number | null;
  /** The signal the leader died of, or null. */
  signal: NodeJS.Signals | null;
  /** The timeout ran out and the tree was shut down. */
  timedOut: boolean;
  /** The AbortSignal fired and the tree was shut down. */
  cancelled: boolean;
  /**
   * Pids of the descendants still running at the moment the leader exited on
   * its own (before any timeout or cancellation); empty when the tree went
   * with its leader, or when the leader was stopped by corral.
   */
  leftovers: number[];
  /**
   * The same leftovers, each with its command line as it was when the leader
   * exited ('' for one that was gone before it could be read): what the
   * command left behind, by name.
   */
  leftoverProcesses: LeftoverProcess[];
  /** The report of the graceful shutdown, if one ran (timeout, cancellation, leftovers: 'kill'). */
  report: ShutdownReport | undefined;
  /** The mechanism the group really used. */
  mechanism: MechanismName;
  /** Why mechanism 'auto' did not get cgroup v2, if it did not. */
  fallbackReason: string | undefined;
  /** Where the group's cgroup came from (own cgroup, cgroupParent, or a systemd scope); undefined under pgroup. */
  cgroupOrigin: CgroupOrigin | undefined;
  /**
   * The leader's pid; undefined when the command never started (a server
   * failed first): a 0 here would name the caller's own process group to kill().
   */
  pid: number | undefined;
  /** Milliseconds from the spawn until the tree was gone (or left to run). */
  elapsedMs: number;
  /**
   * The group's stats() at the end of the run (undefined if unreadable).
   * cgroup: CPU time of every member that ran, and the peaks where the
   * controllers are enabled; the fallback has no CPU figure for a finished
   * tree, so cpuUsageMs is absent there.
   */
  stats: GroupStats | undefined;
  /** With capture: what the tree wrote to stdout, up to maxBuffer bytes (undefined without capture). */
  stdout: Output | undefined;
  /** With capture: what the tree wrote to stderr, up to maxBuffer bytes. */
  stderr: Output | undefined;
  /** With capture: the bytes each stream wrote, kept or not. */
  outputBytes: OutputBytes | undefined;
  /** With capture: a stream wrote more than maxBuffer bytes and was cut (the first maxBuffer kept). */
  outputTruncated: boolean;
  /** With servers: what became of each (what was stopped of its tree, its last lines); empty without. */
  servers?: ServerReport[];
  /**
   * With servers: the server that failed the run, if one did (it exited, or
   * was not ready in time). During 'start' the command never ran (pid
   * undefined, exitCode null); during 'run' its tree was shut down.
   */
  serverFailure?: ServerFailure | undefined;
  /** idleTimeout: the tree wrote nothing on stdout or stderr for that long, and was shut down. */
  idleTimedOut?: boolean;
  /** With idleTimedOut: how long the tree had been silent when the shutdown began, in ms. */
  idleMs?: number | undefined;
}

/** A process the command left running when it exited. */
export interface LeftoverProcess {
  pid: number;
  /** Its arguments joined by spaces, as `ps -o args` shows them. */
  command: string;
}
