/**
 * `corral run [options] -- command [args...]`: the command runs with corral's
 * stdio, in a group of its own, started in a new session so that a
 * terminal's Ctrl+C reaches corral alone (which then shuts the tree down
 * gracefully) and never a second, unmanaged copy to the tree.
 */
import { run } from '../../run/run.js';
import type { Command } from '../command.js';
import { Interrupts } from './interrupts.js';
import { RUN_HELP } from './run-help.js';
import { parseRunCommandLine, RUN_FLAGS } from './run-flags.js';
import { takeServerFlags } from './server-flags.js';
import { UsageError } from '../usage-error.js';
import { idleLines } from './idle-summary.js';
import { serverFailureLines, serversJson, serverStoppedLines } from './server-summary.js';
import { reportRunEnd } from './summary.js';
import { runSupervised } from './supervised-run.js';
import { runWatched } from './watched-run.js';

export const runCommand: Command = {
  name: 'run',
  help: RUN_HELP,
  async main(argv, context) {
    const serverFlags = takeServerFlags(argv, RUN_FLAGS);
    const line = parseRunCommandLine(serverFlags.rest);
    context.debug ||= line.debug;
    if (line.help) {
      process.stdout.write(RUN_HELP);
      return 0;
    }
    const serving = serverFlags.servers.length > 0 || serverFlags.idleTimeout !== undefined;
    if (serving && (line.restart !== undefined || line.watch !== undefined)) {
      throw new UsageError('--server and --idle-timeout do not combine with --restart or --watch', 'run');
    }
    const interrupts = new Interrupts();
    interrupts.install();
    try {
      if (line.restart !== undefined) return await runSupervised(line, line.restart, line.options, interrupts);
      if (line.watch !== undefined) return await runWatched(line, line.watch, line.options, interrupts);
      const result = await run(line.command, line.args, {
        ...line.options,
        servers: serverFlags.servers,
        readyTimeout: serverFlags.readyTimeout,
        idleTimeout: serverFlags.idleTimeout,
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
