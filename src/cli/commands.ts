/**
 * Every `corral` subcommand, in the order `corral --help` lists them. Each is
 * loaded only when it is asked for: `corral run` must start about as fast as
 * `node` itself, so it must not pay for doctor's systeminformation or for
 * sweep's tree walk. Adding one is one file that exports a Command, plus its
 * entry here.
 */
export interface CommandContext {
  /** --debug was given: failures print their stack. Commands set it as they parse. */
  debug: boolean;
}

export interface Command {
  name: string;
  /** The whole of `corral <name> --help`. */
  help: string;
  /** Runs the command; resolves with the exit status. Throws UsageError for a bad command line. */
  main(argv: string[], context: CommandContext): Promise<number>;
}

export interface CommandEntry {
  name: string;
  /** One line for `corral --help`. */
  summary: string;
  /** The command itself, imported on first use. */
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'run a command; when it ends, times out or corral is interrupted, stop its whole tree',
    load: async () => (await import('./run/run-command.js')).runCommand,
  },
  {
    name: 'doctor',
    summary: "show what this host offers and which mechanism 'auto' gets",
    load: async () => (await import('./doctor/doctor-command.js')).doctorCommand,
  },
  {
    name: 'sweep',
    summary: 'remove the groups that dead supervisors left behind',
    load: async () => (await import('./sweep/sweep-command.js')).sweepCommand,
  },
];
