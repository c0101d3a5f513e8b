/**
 * One `corral` subcommand. Adding one (sweep, say) is one file that exports
 * a Command, plus its entry (name, summary, how to load it) in commands.ts.
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
