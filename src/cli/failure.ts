/**
 * How a failure leaves corral: one line on stderr naming the problem (the
 * stack only with --debug) and an exit status a script can branch on. The
 * statuses follow coreutils `timeout` and the shell: 2 for a bad command
 * line, 125 when corral itself failed, 126 when the command cannot be
 * executed, 127 when it cannot be found.
 */
import { CorralError, describeError, errnoOf } from '../errors.js';
import { UsageError } from './usage-error.js';

export const EXIT_USAGE = 2;
export const EXIT_CORRAL_FAILED = 125;
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;

/** Option errors from the library are the user's command line too. */
const OPTION_CODES = new Set(['EINVALID_OPTION', 'EINVALID_SIGNAL', 'EINVALID_MECHANISM', 'EINVALID_LIMIT']);

export function reportFailure(error: unknown, debug: boolean): number {
  const { line, status } = describeFailure(error);
  process.stderr.write(`${line}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return status;
}

export function describeFailure(error: unknown): { line: string; status: number } {
  if (error instanceof UsageError) {
    const where = error.command === undefined ? 'corral' : `corral ${error.command}`;
    return { line: `${where}: ${error.message} (see ${where} --help)`, status: EXIT_USAGE };
  }
  if (error instanceof CorralError) {
    if (OPTION_CODES.has(error.code)) return { line: `corral: ${error.message}`, status: EXIT_USAGE };
    return { line: `corral: ${error.message} [${error.code}]`, status: EXIT_CORRAL_FAILED };
  }
  const errno = errnoOf(error);
  const path = (error as { path?: unknown } | null)?.path;
  if (errno === 'ENOENT' && typeof path === 'string') {
    return { line: `corral: ${path}: command not found`, status: EXIT_NOT_FOUND };
  }
  if ((errno === 'EACCES' || errno === 'ENOEXEC') && typeof path === 'string') {
    return { line: `corral: ${path}: cannot execute (${errno})`, status: EXIT_CANNOT_EXECUTE };
  }
  return { line: `corral: ${describeError(error)}`, status: EXIT_CORRAL_FAILED };
}
