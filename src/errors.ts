// Errors shaped like Node's own (lib/internal/errors.js, child_process.js):
// a stable `code` to branch on, plus `syscall`, `path`, `errnoCode` or
// `pids` where they help to find the cause. Messages say what was wrong
// and, where there is one, what to do about it.

/** Every code a CorralError can carry. Stable: users branch on these. */
export type CorralErrorCode =
  /** An option had the wrong type or an out-of-range value. */
  | 'EINVALID_OPTION'
  /** A signal name or number that this platform does not know. */
  | 'EINVALID_SIGNAL'
  /** `mechanism` was not 'auto', 'cgroup' or 'pgroup'. */
  | 'EINVALID_MECHANISM'
  /** A resource limit value was not a positive finite number. */
  | 'EINVALID_LIMIT'
  /** The group was closed; it cannot spawn or signal any more. */
  | 'EGROUP_CLOSED'
  /** `mechanism: 'cgroup'` was asked for but no writable cgroup v2 is reachable. */
  | 'ECGROUP_UNAVAILABLE'
  /** Limits were asked for but this host cannot enforce them. */
  | 'ELIMIT_UNENFORCEABLE'
  /** Members survived a hard kill for longer than `killTimeout`. */
  | 'EKILL_TIMEOUT'
  /** The hard kill itself failed (e.g. cgroup.kill could not be written). */
  | 'EKILL_FAILED'
  /**
   * Delivering a signal to the tree, or freezing or thawing it (suspend(),
   * resume()), failed for a reason other than "already gone".
   */
  | 'ESIGNAL_FAILED'
  /** Reading the group's state (its members, its statistics, whether it has drained) failed. */
  | 'EREAD_FAILED'
  /** A cgroup directory could not be removed after the tree drained. */
  | 'ECGROUP_REMOVE'
  /** A libc call through ffi-rs could not be made at all. */
  | 'ELIBC'
  /** `noNewPrivileges` was asked for but util-linux `setpriv` is not on the PATH. */
  | 'ENO_NEW_PRIVS_UNAVAILABLE'
  /** A ready probe was not `http(s)://…`, `tcp:[HOST:]PORT` or `line:REGEX`. */
  | 'EINVALID_PROBE'
  /** A server was not ready within its ready timeout. */
  | 'EREADY_TIMEOUT'
  /** A server exited before it was ready. */
  | 'ESERVER_EXITED'

  /** A test runner (vitest, jest) in a version that corral's integrations do not support. */
  | 'EUNSUPPORTED_RUNNER';

export interface CorralErrorDetails {
  /** The system call or file operation that failed, as in Node's errors. */
  syscall?: string;
  /** The file the failing operation was about. */
  path?: string;
  /** The errno name from the OS, e.g. 'EACCES'. */
  errnoCode?: string;
  /** Process ids the error is about (survivors, failed deliveries). */
  pids?: number[];
  /** Errors met along the way that together led to this one. */
  errors?: unknown[];
  cause?: unknown;
}

export class CorralError extends Error {
  override name = 'CorralError';
  readonly code: CorralErrorCode;
  readonly syscall?: string;
  readonly path?: string;
  readonly errnoCode?: string;
  readonly pids?: number[];
  readonly errors?: unknown[];

  constructor(code: CorralErrorCode, message: string, details: CorralErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.path !== undefined) this.path = details.path;
    if (details.errnoCode !== undefined) this.errnoCode = details.errnoCode;
    if (details.pids !== undefined) this.pids = details.pids;
    if (details.errors !== undefined) this.errors = details.errors;
  }
}

/**
 * The error for an operation that failed with `error` (a system error,
 * usually): the message says what failed and why (`<what>: <why>`), the
 * details keep the errno and the cause. Every CorralError that wraps
 * another failure is built here.
 */
export function failure(
  code: CorralErrorCode,
  what: string,
  error: unknown,
  details: Omit<CorralErrorDetails, 'errnoCode' | 'cause'> = {},
): CorralError {
  return new CorralError(code, `${what}: ${describeError(error)}`, {
    ...details,
    errnoCode: errnoOf(error),
    cause: error,
  });
}

/** A process a signal could not reach, and why. */
export interface UndeliveredSignal {
  pid: number;
  errno: string;
  syscall?: string;
}

/**
 * The error for a signal that could not reach some members (`where`: whose
 * members, when it helps), or undefined when it reached them all.
 */
export function undeliveredSignal(
  code: CorralErrorCode,
  signal: string,
  failures: readonly UndeliveredSignal[],
  where = '',
): CorralError | undefined {
  const first = failures[0];
  if (first === undefined) return undefined;
  const list = failures.map((f) => `${f.pid} (${f.errno})`).join(', ');
  return new CorralError(code, `${signal} could not be delivered to ${failures.length} member(s)${where}: ${list}`, {
    syscall: first.syscall,
    errnoCode: first.errno,
    pids: failures.map((f) => f.pid),
  });
}

/** The `code` of a Node system error (`ENOENT`, `EBUSY`...), or undefined. */
export function errnoOf(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** A short one-line description of any thrown value, for messages and reports. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
