/**
 * Which children of the main thread corral may reap: a pure decision over a
 * /proc snapshot, so the proof is tested on fixtures (libuv-children.ts
 * says why the inputs are complete).
 *
 * A child is reaped when it is a zombie, libuv did not spawn it (its pid is
 * not an unreaped ChildProcess of the main thread) and it is not one of the
 * children present before corral watched (same pid and start time). Its pid
 * cannot be handed out again before it is reaped, so the stat read is the
 * process waitpid(pid) will reap. Everything else is left alone, and what
 * is neither libuv's nor there before is "unexplained": an adopted orphan,
 * alive, that SIGCHLD will bring back.
 */
import type { ProcStat } from '../../proc/stat.js';

export interface MainThreadChildren {
  /** The stat of each child in /proc/<pid>/task/<pid>/children (gone ones left out). */
  readonly children: readonly ProcStat[];
  /** The pids of the main thread's ChildProcesses libuv has not reaped. */
  readonly libuv: ReadonlySet<number>;
  /** Children present when corral began watching: pid to start time. */
  readonly before: ReadonlyMap<number, number>;
}

export interface ReapDecision {
  /** Zombies to reap, by exact pid. */
  readonly reap: number[];
  /** Live children that are neither libuv's nor from before: adopted orphans still to die. */
  readonly unexplained: number;
}

export function zombiesToReap({ children, libuv, before }: MainThreadChildren): ReapDecision {
  const reap: number[] = [];
  let unexplained = 0;
  for (const child of children) {
    if (libuv.has(child.pid) || before.get(child.pid) === child.startTime) continue;
    if (child.state === 'Z') reap.push(child.pid);
    else unexplained += 1;
  }
  return { reap, unexplained };
}
