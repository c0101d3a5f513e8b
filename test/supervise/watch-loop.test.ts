// The watch loop, hermetically: scripted incarnations and a fake watcher on
// a virtual clock. No process is started and no real time passes.
import test from 'ava';
import type { RunResult } from '../../src/run/run.js';
import type { ChangeWatcher } from '../../src/supervise/change-watcher.js';
import { watchLoop, type RunWatchedIncarnation } from '../../src/supervise/run-watching.js';
import { hermetic } from '../helpers/hermetic.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

hermetic();

function fakeWatcher(): ChangeWatcher & { emit(): void } {
  const listeners: Array<(path: string) => void> = [];
  return {
    onChange: (listener) => void listeners.push(listener),
    close: async () => undefined,
    emit: () => {
      for (const listener of listeners) listener('src/file.js');
    },
  };
}

interface Script {
  /** Virtual ms after which an incarnation exits on its own with `code` (default: never). */
  exitsAfter?: number;
  code?: number;
  /** Virtual ms its tree takes to stop once asked (default 50). */
  stopMs?: number;
}

/** Incarnations that run until stopped (or their scripted exit), logging when each starts and is asked to stop. */
function scripted(clock: VirtualClock, script: Script = {}) {
  const log: string[] = [];
  let count = 0;
  let running = 0;
  const runIncarnation: RunWatchedIncarnation = async (signal, onSpawn) => {
    const n = ++count;
    if (++running > 1) throw new Error('two incarnations overlap');
    log.push(`${clock.now()} start ${n}`);
    onSpawn({} as never, {} as never);
    const ownExit = script.exitsAfter === undefined ? undefined : clock.sleep(script.exitsAfter);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      void ownExit?.promise.then(() => resolve());
    });
    const stopped = signal.aborted;
    ownExit?.cancel();
    if (stopped) {
      log.push(`${clock.now()} stop ${n}`);
      await clock.sleep(script.stopMs ?? 50).promise;
    }
    running--;
    return {
      exitCode: stopped ? null : (script.code ?? 0),
      signal: stopped ? 'SIGTERM' : null,
      cancelled: stopped,
      pid: n,
    } as RunResult;
  };
  return { log, runIncarnation };
}

test('a change stops the incarnation and starts the next once its tree is gone', async (t) => {
  const clock = new VirtualClock();
  const watcher = fakeWatcher();
  const controller = new AbortController();
  const { log, runIncarnation } = scripted(clock);
  clock.at(100, () => watcher.emit());
  clock.at(300, () => controller.abort());
  const outcome = await watchLoop(runIncarnation, watcher, { signal: controller.signal });
  t.deepEqual(log, ['0 start 1', '100 stop 1', '150 start 2', '300 stop 2']);
  t.is(outcome.runs, 2);
  t.is(outcome.last.pid, 2);
});

test('changes that arrive while the tree is being stopped coalesce into that one restart', async (t) => {
  const clock = new VirtualClock();
  const watcher = fakeWatcher();
  const controller = new AbortController();
  const { log, runIncarnation } = scripted(clock, { stopMs: 50 });
  for (const at of [100, 110, 120, 149]) clock.at(at, () => watcher.emit());
  clock.at(400, () => controller.abort());
  const outcome = await watchLoop(runIncarnation, watcher, { signal: controller.signal });
  t.deepEqual(log, ['0 start 1', '100 stop 1', '150 start 2', '400 stop 2']);
  t.is(outcome.runs, 2);
});

test('a change after the next incarnation started restarts it again', async (t) => {
  const clock = new VirtualClock();
  const watcher = fakeWatcher();
  const controller = new AbortController();
  const { log, runIncarnation } = scripted(clock);
  for (const at of [100, 200]) clock.at(at, () => watcher.emit());
  clock.at(500, () => controller.abort());
  const exits: string[] = [];
  const outcome = await watchLoop(runIncarnation, watcher, {
    signal: controller.signal,
    onExit: (n, _result, changed) => exits.push(`${n} ${changed}`),
  });
  t.deepEqual(log, ['0 start 1', '100 stop 1', '150 start 2', '200 stop 2', '250 start 3', '500 stop 3']);
  t.is(outcome.runs, 3);
  t.deepEqual(exits, ['1 true', '2 true', '3 false']);
});

test('an incarnation that exits on its own waits for the next change', async (t) => {
  const clock = new VirtualClock();
  const watcher = fakeWatcher();
  const controller = new AbortController();
  const { log, runIncarnation } = scripted(clock, { exitsAfter: 50, code: 3 });
  clock.at(500, () => watcher.emit());
  clock.at(520, () => controller.abort());
  const waited: number[] = [];
  const outcome = await watchLoop(runIncarnation, watcher, {
    signal: controller.signal,
    onWaiting: (result) => waited.push(result.exitCode!),
  });
  t.deepEqual(log, ['0 start 1', '500 start 2', '520 stop 2']);
  t.deepEqual(waited, [3]);
  t.is(outcome.runs, 2);
});

test('Ctrl+C while waiting ends the loop with the last result', async (t) => {
  const clock = new VirtualClock();
  const watcher = fakeWatcher();
  const controller = new AbortController();
  const { log, runIncarnation } = scripted(clock, { exitsAfter: 50, code: 3 });
  clock.at(200, () => controller.abort());
  const outcome = await watchLoop(runIncarnation, watcher, { signal: controller.signal });
  t.deepEqual(log, ['0 start 1']);
  t.is(outcome.runs, 1);
  t.is(outcome.last.exitCode, 3);
  t.is(clock.now(), 200);
});

test('an AbortSignal that already fired rejects before anything runs', async (t) => {
  const clock = new VirtualClock();
  const { log, runIncarnation } = scripted(clock);
  await t.throwsAsync(watchLoop(runIncarnation, fakeWatcher(), { signal: AbortSignal.abort(new Error('stop')) }), {
    message: 'stop',
  });
  t.deepEqual(log, []);
});
