/**
 * A mistake in how corral was called (unknown option, bad duration, missing
 * command): reported as one line, exit status 2, never a stack trace.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose help would explain it ('run', 'doctor'), for the "see --help" hint. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
