/**
 * `corral run [options] -- command [args...]`: the command runs with corral's
 * stdio, in a group of its own, started in a new session so that a
 * terminal's Ctrl+C reaches corral alone (which then shuts the tree down
 * gracefully) and never a second, unmanaged copy to the tree.
 */
import { run } from '../../run/run.js';
import type { Command } from '../command.js';
import { EXIT_LEFT_PROCESSES, exitStatusOf } from './exit-status.js';
import { Interrupts } from './interrupts.js';
import { RUN_HELP } from './run-help.js';
import { parseRunCommandLine, RUN_FLAGS } from './run-flags.js';
import { takeServerFlags } from './server-flags.js';
import { UsageError } from '../usage-error.js';
import { idleLines } from './idle-summary.js';
import { serverFailureLines, serversJson, serverStoppedLines } from './server-summary.js';
import { jsonSummary, leftoverLines, verboseLine } from './summary.js';
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
        onSpawn: (_child, group) => interrupts.onForce(() => void group.kill().catch(() => undefined)),
        onServerSpawn: (_name, _child, group) => interrupts.onForce(() => void group.kill().catch(() => undefined)),
      });
      const status = exitStatusOf(result, interrupts.exitStatus, { failOnLeftovers: line.failOnLeftovers });
      const summary = { result, status, interruptedBy: interrupts.received, forced: interrupts.forced };
      for (const failed of [...serverFailureLines(result), ...idleLines(result)]) process.stderr.write(`${failed}\n`);
      if (line.verbose) process.stderr.write(`${verboseLine(summary)}\n`);
      if (line.verbose) for (const stopped of serverStoppedLines(result)) process.stderr.write(`${stopped}\n`);
      if (line.verbose || (line.failOnLeftovers && status === EXIT_LEFT_PROCESSES)) {
        for (const named of leftoverLines(result)) process.stderr.write(`${named}\n`);
      }
      if (line.json) process.stderr.write(`${JSON.stringify({ ...jsonSummary(summary), ...serversJson(result) })}\n`);
      return status;
    } finally {
      interrupts.uninstall();
    }
  },
};
