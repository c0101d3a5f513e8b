/**
 * The children libuv spawned in the main thread and has not reaped yet: the
 * one set of pids corral's reaping must never touch (a status taken from
 * under libuv is lost for good, and that ChildProcess never emits 'exit').
 * Node publishes every ChildProcess on the `child_process` diagnostics
 * channel from its constructor, before its spawn, in the thread that made
 * it; its pid is set in the same synchronous call as the fork, and its
 * exitCode or signalCode in the callback in which libuv reaped it. So "pid
 * known, no exit code yet" is exactly "libuv's, unreaped". Why that is the
 * whole of what must be left alone (spawnSync, Workers, children from
 * before): docs/fallback.md, "Exact reaping".
 */
import type { ChildProcess } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';

export class LibuvChildren {
  readonly #made = new Set<ChildProcess>();

  constructor() {
    subscribe('child_process', (message) => {
      // A failed spawn never emits 'exit' (its exitCode is set): forgotten at the next spawn.
      for (const made of this.#made) if (exited(made)) this.#made.delete(made);
      const child = (message as { process: ChildProcess }).process;
      this.#made.add(child);
      // So the set holds no more than the children libuv has not reaped, reaping or not.
      child.once('exit', () => this.#made.delete(child));
    });
  }

  /** How many ChildProcesses are held. */
  get size(): number {
    return this.#made.size;
  }

  /** The pids of this thread's ChildProcesses that libuv has not reaped. */
  unreaped(): Set<number> {
    const pids = new Set<number>();
    for (const child of this.#made) if (child.pid !== undefined && !exited(child)) pids.add(child.pid);
    return pids;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}
