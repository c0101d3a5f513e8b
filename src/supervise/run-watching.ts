/**
 * Watch mode: run a command, and start it again whenever something it is
 * built from changes. The loop:
 *
 * 1. An incarnation is one run(), stopped through its AbortSignal by the
 *    first change (graceful signal, grace, then SIGKILL, for the whole tree,
 *    escapees included). The next starts only once run() settled, so only
 *    after that whole tree is gone: a port or a lock is never held by an
 *    earlier incarnation's child.
 * 2. Changes that arrive while an incarnation is being stopped coalesce
 *    into that one restart: the next incarnation starts after them, so it
 *    already sees them.
 * 3. An incarnation that exits on its own is not restarted at once: the
 *    next change starts it again (as nodemon waits after a crash).
 * 4. The caller's AbortSignal stops the current tree and ends the loop.
 */
import type { ChildProcess } from 'node:child_process';
import type { ProcessGroup } from '../group/process-group.js';
import { run, type RunResult } from '../run/run.js';
import type { RunOptions } from '../run/run-options.js';
import type { ChangeWatcher } from './change-watcher.js';
import type { SupervisionOutcome } from './supervise.js';

export interface RunWatchingOptions {
  /** What each incarnation's run() gets (its own signal and onSpawn are set here). */
  run: RunOptions;
  signal?: AbortSignal;
  onStart?: (incarnation: number, child: ChildProcess, group: ProcessGroup) => void;
  /** An incarnation ended, its tree gone; `changed` tells a change stopped it. */
  onExit?: (incarnation: number, result: RunResult, changed: boolean) => void;
  /** The loop waits for a change, the last incarnation having exited on its own. */
  onWaiting?: (result: RunResult) => void;
}

export type WatchOutcome = Pick<SupervisionOutcome, 'runs' | 'last'>;

/** One incarnation, stopped by `signal`; settles once its tree is gone. */
export type RunWatchedIncarnation = (
  signal: AbortSignal,
  onSpawn: (child: ChildProcess, group: ProcessGroup) => void,
) => Promise<RunResult>;

export async function runWatching(
  command: string,
  args: readonly string[],
  watcher: ChangeWatcher,
  options: RunWatchingOptions,
): Promise<WatchOutcome> {
  return watchLoop((signal, onSpawn) => run(command, [...args], { ...options.run, signal, onSpawn }), watcher, options);
}

/** The watch loop over any way of running one incarnation (hermetic tests give a scripted one). */
export async function watchLoop(
  runIncarnation: RunWatchedIncarnation,
  watcher: ChangeWatcher,
  options: Omit<RunWatchingOptions, 'run'>,
): Promise<WatchOutcome> {
  options.signal?.throwIfAborted();
  let onChange: () => void = () => undefined;
  watcher.onChange(() => onChange());
  for (let incarnation = 1; ; incarnation++) {
    const change = new AbortController();
    // Abort is idempotent: every change until this incarnation has settled is this one restart.
    onChange = () => change.abort();
    const signal = options.signal === undefined ? change.signal : AbortSignal.any([options.signal, change.signal]);
    const result = await runIncarnation(signal, (child, group) => options.onStart?.(incarnation, child, group));
    const changed = change.signal.aborted;
    options.onExit?.(incarnation, result, changed);
    if (options.signal?.aborted) return { runs: incarnation, last: result };
    if (!changed) {
      options.onWaiting?.(result);
      if (!(await nextChange(options.signal, (listener) => (onChange = listener))))
        return { runs: incarnation, last: result };
    }
  }
}

/** Resolves true at the next change, false if the AbortSignal fires first. */
function nextChange(signal: AbortSignal | undefined, listen: (listener: () => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    listen(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}
