// Errors shaped like Node's own (lib/internal/errors.js, child_process.js):
// a stable `code` to branch on, plus `syscall`, `path`, `errnoCode` or
// `pids` where they help to find the cause. Messages say what was wrong
// and, where there is one, what to do about it. Every CorralError is built
// here, one builder per family of failure (test/errors/built-here.test.ts).

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
 * details keep the errno and the cause.
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

/** The codes of a value the caller gave that corral refuses (the CLI's usage errors). */
export type OptionErrorCode = 'EINVALID_OPTION' | 'EINVALID_SIGNAL' | 'EINVALID_MECHANISM' | 'EINVALID_LIMIT';

/** `message` names the option and what is wrong with it; `code`, when one closer than EINVALID_OPTION fits. */
export function invalidOption(message: string, code: OptionErrorCode = 'EINVALID_OPTION', path?: string): CorralError {
  return new CorralError(code, message, { path });
}

export function invalidProbe(message: string): CorralError {
  return new CorralError('EINVALID_PROBE', message);
}

export function groupClosed(operation: string): CorralError {
  return new CorralError('EGROUP_CLOSED', `${operation}(): the group is closed`);
}

export function cgroupUnavailable(reason: string, details: { path?: string; cause?: unknown } = {}): CorralError {
  const message = `cgroup v2 is not usable: ${reason}`;
  return new CorralError('ECGROUP_UNAVAILABLE', message, { ...details, errnoCode: errnoOf(details.cause) });
}

/** `error` (ECGROUP_UNAVAILABLE) after one more try: `more` tells what it was; errno and path stay. */
export function cgroupStillUnavailable(error: CorralError, more: string): CorralError {
  const { path, errnoCode } = error;
  return new CorralError('ECGROUP_UNAVAILABLE', `${error.message}${more}`, { cause: error, path, errnoCode });
}

/** Limits this host cannot enforce: `why`, when known, and the failure that made it so (told as failure() does). */
export function limitUnenforceable(why?: string, cause?: unknown, path?: string): CorralError {
  const what = why === undefined ? 'limits cannot be enforced' : `limits cannot be enforced: ${why}`;
  if (cause !== undefined) return failure('ELIMIT_UNENFORCEABLE', what, cause, { path });
  return new CorralError('ELIMIT_UNENFORCEABLE', what, { path });
}

/** Limits where only process groups are left: asked for (`mechanism: 'pgroup'`), or fallen back to (`unavailable`). */
export function limitsNeedCgroup(unavailable?: CorralError): CorralError {
  const message = unavailable
    ? `limits cannot be enforced: ${unavailable.message}`
    : 'limits need the cgroup mechanism; process groups cannot enforce memory, pids or cpu limits ' +
      "(use mechanism 'cgroup' or 'auto')";
  return new CorralError('ELIMIT_UNENFORCEABLE', message, { cause: unavailable });
}

/** `pids` alive `afterMs` after SIGKILL; EKILL_FAILED when the kill itself `failed`. */
export function survivedKill(pids: number[], afterMs: number, errors: unknown[], failed?: CorralError): CorralError {
  const alive = `${pids.length} member(s) still alive`;
  const details = { pids, errors: [...errors], cause: failed };
  if (failed) return new CorralError('EKILL_FAILED', `${failed.message}; ${alive}: ${pids.join(', ')}`, details);
  const why = `${afterMs} ms after SIGKILL (uninterruptible sleep?)`;
  return new CorralError('EKILL_TIMEOUT', `${alive} ${why}: ${pids.join(', ')}`, details);
}

/** The SIGKILL sweeps (the hard kill where cgroup.kill is missing) left `survivors` in `dir`. */
export function survivedSweeps(dir: string, survivors: number[], sweeps: number): CorralError {
  const message = `${survivors.length} member(s) of ${dir} survived ${sweeps} SIGKILL sweeps`;
  return new CorralError('EKILL_FAILED', message, { pids: survivors, path: dir });
}

export function freezeTimedOut(what: 'freezing' | 'thawing', dir: string, timeoutMs: number): CorralError {
  const message = `${what} ${dir} was not reported done in cgroup.events within ${timeoutMs} ms`;
  return new CorralError('ESIGNAL_FAILED', message, { path: `${dir}/cgroup.freeze` });
}

export function spareIncomplete(dir: string, left: number[]): CorralError {
  const message = `could not move every spared member out of ${dir}: ${left.join(', ')} remain`;
  return new CorralError('ECGROUP_REMOVE', message, { pids: left, path: dir });
}

export function noNewPrivilegesUnavailable(PATH: string): CorralError {
  const message = `noNewPrivileges needs setpriv (util-linux) on this process's PATH, and there is none (PATH=${PATH})`;
  return new CorralError('ENO_NEW_PRIVS_UNAVAILABLE', `${message}; nothing was started`);
}

export function serverExited(how: string): CorralError {
  return new CorralError('ESERVER_EXITED', `the server exited before it was ready (${how})`);
}

export function readyTimedOut(timeoutMs: number, probe: string): CorralError {
  return new CorralError('EREADY_TIMEOUT', `the server was not ready after ${timeoutMs} ms (${probe})`);
}

/** `supported`: the versions corral's integration was tested with; `found`: this one. */
export function unsupportedRunner(runner: string, supported: string, found: string): CorralError {
  return new CorralError('EUNSUPPORTED_RUNNER', `corral/${runner} supports ${supported}; this is ${runner} ${found}`);
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
