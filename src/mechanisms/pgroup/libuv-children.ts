/**
 * The children libuv spawned in the main thread and has not reaped yet:
 * the one set of pids corral's reaping must never touch (a status taken
 * from under libuv is lost for good, and that ChildProcess never emits
 * 'exit').
 *
 * Why the set is complete, in the main thread (docs/fallback.md, "Exact
 * reaping", says it with the sources):
 * - libuv spawns in two places only: a ChildProcess (spawn, exec,
 *   execFile, fork) and spawnSync. Node publishes every ChildProcess on the
 *   `child_process` diagnostics channel from its constructor, before its
 *   spawn; the subscription here sees each one made in this thread from the
 *   moment it is made. Its pid is set in the same synchronous call as the
 *   fork, and its exitCode or signalCode in the same callback in which libuv
 *   reaped it: so "pid known, no exit code yet" is exactly "libuv's,
 *   unreaped".
 * - spawnSync blocks the thread until its child is reaped: while any
 *   JavaScript of the main thread runs, no spawnSync child of it exists.
 * - A Worker's children are children of the Worker's thread
 *   (/proc/<pid>/task/<tid>/children): the reaping reads the main thread's
 *   list only, so they are never candidates.
 * - Children that existed before the subscription (a ChildProcess made
 *   before corral first needed it) are recorded then, pid and start time,
 *   and left alone for as long as they exist.
 */
import type { ChildProcess } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';

export class LibuvChildren {
  readonly #made = new Set<ChildProcess>();

  constructor() {
    subscribe('child_process', (message) => {
      // A failed spawn never emits 'exit' (its exitCode is set): forgotten at the next one.
      this.#forgetExited();
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
    this.#forgetExited();
    const pids = new Set<number>();
    for (const child of this.#made) if (child.pid !== undefined) pids.add(child.pid);
    return pids;
  }

  #forgetExited(): void {
    for (const child of this.#made) if (child.exitCode !== null || child.signalCode !== null) this.#made.delete(child);
  }
}
