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
  /** Delivering a signal to the tree failed for a reason other than "already gone". */
  | 'ESIGNAL_FAILED'
  /** A cgroup directory could not be removed after the tree drained. */
  | 'ECGROUP_REMOVE'
  /** A libc call through ffi-rs could not be made at all. */
  | 'ELIBC'
  /** `noNewPrivileges` was asked for but util-linux `setpriv` is not on the PATH. */
  | 'ENO_NEW_PRIVS_UNAVAILABLE'
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
