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
import { parseRunCommandLine } from './run-flags.js';
import { jsonSummary, leftoverLines, verboseLine } from './summary.js';
import { runSupervised } from './supervised-run.js';
import { runWatched } from './watched-run.js';

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
    const interrupts = new Interrupts();
    interrupts.install();
    try {
      if (line.restart !== undefined) return await runSupervised(line, line.restart, line.options, interrupts);
      if (line.watch !== undefined) return await runWatched(line, line.watch, line.options, interrupts);
      const result = await run(line.command, line.args, {
        ...line.options,
        signal: interrupts.signal,
        onSpawn: (_child, group) => interrupts.onForce(() => void group.kill().catch(() => undefined)),
      });
      const status = exitStatusOf(result, interrupts.exitStatus, { failOnLeftovers: line.failOnLeftovers });
      const summary = { result, status, interruptedBy: interrupts.received, forced: interrupts.forced };
      if (line.verbose) process.stderr.write(`${verboseLine(summary)}\n`);
      if (line.verbose || (line.failOnLeftovers && status === EXIT_LEFT_PROCESSES)) {
        for (const named of leftoverLines(result)) process.stderr.write(`${named}\n`);
      }
      if (line.json) process.stderr.write(`${JSON.stringify(jsonSummary(summary))}\n`);
      return status;
    } finally {
      interrupts.uninstall();
    }
  },
};
