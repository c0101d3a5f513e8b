/**
 * `corral run --watch PATH -- CMD`: the command under runWatching(), with
 * corral's Ctrl+C handling. The first stop signal stops the current tree
 * gracefully and ends the watch; a second one kills that tree at once. The
 * exit status is the last run's (128 + n after a stop signal).
 */
import type { RunOptions } from '../../run/run-options.js';
import type { Interrupts } from './interrupts.js';
import type { RunCommandLine } from './run-flags.js';
import { endedAs, reportRunEnd } from './summary.js';

export async function runWatched(
  line: RunCommandLine,
  paths: string[],
  options: RunOptions,
  interrupts: Interrupts,
): Promise<number> {
  const { watchPaths } = await import('../../supervise/change-watcher.js');
  const { runWatching } = await import('../../supervise/run-watching.js');
  const say = (text: string) => line.verbose && process.stderr.write(`corral: ${text}\n`);
  const watcher = await watchPaths(paths);
  try {
    const outcome = await runWatching(line.command, line.args, watcher, {
      run: options,
      signal: interrupts.signal,
      onStart: (incarnation, _child, group) => {
        interrupts.onForce(group);
        say(`run ${incarnation} started`);
      },
      onExit: (incarnation, result, changed) =>
        say(`run ${incarnation} ${changed ? 'stopped for a change' : `ended: ${endedAs(result)}`}`),
      onWaiting: () => say('waiting for a change'),
    });
    const runs = outcome.runs;
    return reportRunEnd(line, outcome.last, interrupts, { verboseSuffix: `, ${runs} run(s)`, json: { runs } });
  } finally {
    await watcher.close();
  }
}
