/**
 * A scripted host for the process-group mechanism: a process table the test
 * edits by hand, and a killpg that answers from it and records every call.
 * It replays what a real machine will not do on demand, such as a leader
 * pid recycled by a stranger's new process group.
 */
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../../src/driver/clock.js';
import type { SyscallResult } from '../../src/libc/libc.js';
import type { PgroupHost } from '../../src/mechanisms/pgroup/pgroup-host.js';
import type { PinnedProcess } from '../../src/mechanisms/pgroup/pinned-process.js';
import { FallbackRuntime } from '../../src/mechanisms/pgroup/fallback-runtime.js';
import type { ProcStat } from '../../src/proc/stat.js';
import { ManualClock } from './manual-clock.js';

export interface KillpgCall {
  pgid: number;
  signal: number;
  /** Set for a signal through a pin (one process), unset for killpg. */
  pid?: number;
}

/** A Map that says when it is edited. */
class EditedTable extends Map<number, ProcStat> {
  onEdit: (() => void) | undefined;

  override set(pid: number, stat: ProcStat): this {
    super.set(pid, stat);
    this.onEdit?.();
    return this;
  }

  override delete(pid: number): boolean {
    this.onEdit?.();
    return super.delete(pid);
  }
}

export class FakeHost implements PgroupHost {
  /** The supervisor's pid in this table: orphans adopted have it as their parent. */
  readonly selfPid = 1000;
  /** Entries NAME=value of each pid's environment. */
  readonly environ = new Map<number, string[]>();
  /** The process table; every edit invalidates the runtime's shared snapshot (fakeRuntime). */
  readonly table = new EditedTable();
  readonly calls: KillpgCall[] = [];
  /** Force killpg's answer for a pgid (e.g. 'EPERM'), whatever the table holds. */
  readonly forcedErrno = new Map<number, string>();

  /** Put a process in the table (replacing any with that pid). */
  add(pid: number, fields: Partial<ProcStat> & { startTime: number }): void {
    this.table.set(pid, { pid, state: 'S', ppid: 1, pgid: pid, sid: pid, cpuTicks: 0, ...fields });
  }

  killpg(pgid: number, signal: number): SyscallResult {
    this.calls.push({ pgid, signal });
    const forced = this.forcedErrno.get(pgid);
    if (forced !== undefined) return { value: -1, errno: forced };
    const inGroup = [...this.table.values()].some((stat) => stat.pgid === pgid);
    return inGroup ? { value: 0, errno: undefined } : { value: -1, errno: 'ESRCH' };
  }

  /** Pinned signals land here as calls on the member's pgid (a fault forced for that pgid applies too). */
  pin(pid: number, startTime: number): PinnedProcess | undefined {
    const stat = this.table.get(pid);
    if (stat === undefined || stat.startTime !== startTime) return undefined;
    return {
      pid,
      startTime,
      signal: (signal) => {
        const now = this.table.get(pid);
        if (now !== stat) return { value: -1, errno: 'ESRCH' };
        this.calls.push({ pgid: stat.pgid, signal, pid });
        const forced = this.forcedErrno.get(stat.pgid);
        return forced === undefined ? { value: 0, errno: undefined } : { value: -1, errno: forced };
      },
      unpin: () => {},
    };
  }

  readEnviron(pid: number): string | undefined {
    return this.environ
      .get(pid)
      ?.map((entry) => `${entry}\0`)
      .join('');
  }

  /** How many single-process stat reads the mechanism made. */
  statReads = 0;
  /** The pid of each of those reads, in order. */
  readonly statReadPids: number[] = [];

  readStat(pid: number): ProcStat | undefined {
    this.statReads += 1;
    this.statReadPids.push(pid);
    return this.table.get(pid);
  }

  /** How many /proc scans the mechanism made. */
  scans = 0;

  scan(): ProcStat[] {
    this.scans += 1;
    return [...this.table.values()];
  }

  /** The pid the next spawn() gets (put the process in the table first); undefined plays a failed spawn. */
  nextPid: number | undefined;

  spawn(): ChildProcess {
    return { pid: this.nextPid } as ChildProcess;
  }

  /** The signals (not probes) ever sent to `pgid`. */
  signalsTo(pgid: number): number[] {
    return this.calls.filter((c) => c.pgid === pgid && c.signal !== 0).map((c) => c.signal);
  }
}

/** A runtime over `host` that neither adopts nor reaps, on `clock` (its census fires only when the test says). */
export function fakeRuntime(host: FakeHost, clock: Clock = new ManualClock()): FallbackRuntime {
  const runtime = new FallbackRuntime({ clock, host, adopts: false });
  // The test edits the table as a process tree would change: the next walk sees it, as after a SIGCHLD.
  host.table.onEdit = () => runtime.invalidate();
  return runtime;
}
