import { CorralError } from '../errors.js';

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

/** Runs a library check on command-line text: its CorralError becomes a usage error (exit 2), after `prefix`. */
export function asUsage<T>(check: () => T, prefix = ''): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof CorralError) throw new UsageError(`${prefix}${error.message}`);
    throw error;
  }
}

/** `value`, if it is one of `choices`. */
export function oneOf<T extends string>(value: string, choices: readonly T[], option: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${choices.join(', ')}; got ${JSON.stringify(value)}`);
}
