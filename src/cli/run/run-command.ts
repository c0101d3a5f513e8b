/**
 * `corral run [options] -- command [args...]`: the command runs with corral's
 * stdio, in a group of its own, started in a new session so that a
 * terminal's Ctrl+C reaches corral alone (which then shuts the tree down
 * gracefully) and never a second, unmanaged copy to the tree.
 */
import { run } from '../../run/run.js';
import { supervise } from '../../supervise/supervise.js';
import type { Command } from '../commands.js';
import { UsageError } from '../usage-error.js';
import { Interrupts } from './interrupts.js';
import type { RestartRequest } from './restart-flags.js';
import { RUN_HELP } from './run-help.js';
import { parseRunCommandLine, type RunCommandLine } from './run-flags.js';
import { idleLines, serverFailureLines, serversJson, serverStoppedLines } from './server-summary.js';
import { endedAs, reportRunEnd } from './summary.js';

export const runCommand: Command = {
  name: 'run',
  help: RUN_HELP,
  async main(argv, context) {
    const line = parseRunCommandLine(argv);
    context.debug ||= line.debug;
    if (line.help) {
      process.stdout.write(RUN_HELP);
      return 0;
    }
    const serving = line.servers.length > 0 || line.idleTimeout !== undefined;
    if (serving && (line.restart !== undefined || line.watch !== undefined)) {
      throw new UsageError('--server and --idle-timeout do not combine with --restart or --watch', 'run');
    }
    const interrupts = new Interrupts();
    interrupts.install();
    try {
      if (line.restart !== undefined) return await runSupervised(line, line.restart, interrupts);
      if (line.watch !== undefined) return await runWatched(line, line.watch, interrupts);
      const result = await run(line.command, line.args, {
        ...line.options,
        servers: line.servers,
        readyTimeout: line.readyTimeout,
        idleTimeout: line.idleTimeout,
        signal: interrupts.signal,
        onSpawn: (_child, group) => interrupts.onForce(group),
        onServerSpawn: (_name, _child, group) => interrupts.onForce(group),
      });
      return reportRunEnd(line, result, interrupts, {
        notices: [...serverFailureLines(result), ...idleLines(result)],
        verboseLines: serverStoppedLines(result),
        json: serversJson(result),
      });
    } finally {
      interrupts.uninstall();
    }
  },
};

/*
 * --restart (the command under supervise()) and --watch (under runWatching(),
 * loaded only then): the first stop signal stops the current tree gracefully
 * and ends supervision or the watch (no restart follows a cancel); a second
 * one kills that tree at once. The exit status is the last run's.
 */
const sayIfVerbose = (line: RunCommandLine) => (text: string) =>
  line.verbose && process.stderr.write(`corral: ${text}\n`);

async function runSupervised(line: RunCommandLine, restart: RestartRequest, interrupts: Interrupts): Promise<number> {
  const say = sayIfVerbose(line);
  const outcome = await supervise(line.command, line.args, {
    ...line.options,
    ...restart,
    signal: interrupts.signal,
    onStart: ({ group }) => interrupts.onForce(group),
    onExit: ({ incarnation, result }) => say(`run ${incarnation} ended: ${endedAs(result)}`),
    onRestart: ({ incarnation, delayMs }) => say(`run ${incarnation} starts in ${delayMs} ms`),
  });
  return reportRunEnd(line, outcome.last, interrupts, {
    verboseSuffix: `, ${outcome.runs} run(s), supervision ended: ${outcome.reason}`,
    json: { runs: outcome.runs, restarts: outcome.restarts, supervisionEnded: outcome.reason },
  });
}

async function runWatched(line: RunCommandLine, paths: string[], interrupts: Interrupts): Promise<number> {
  const { watchPaths } = await import('../../supervise/change-watcher.js');
  const { runWatching } = await import('../../supervise/run-watching.js');
  const say = sayIfVerbose(line);
  const watcher = await watchPaths(paths);
  try {
    const outcome = await runWatching(line.command, line.args, watcher, {
      run: line.options,
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
