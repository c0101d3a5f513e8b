/**
 * The few libc calls corral needs that Node does not expose, made through
 * ffi-rs: kill, the pidfd system calls (a signal to a process that can
 * never hit a recycled pid), prctl and waitpid. Each call returns the raw result with errno decoded to its name, so
 * callers decide what "already gone" means for them.
 *
 * Linux only (package.json says so). ffi-rs is loaded on first use, so
 * importing corral where ffi-rs has no prebuilt binary fails only when these
 * calls are really needed, with an ELIBC error that says so.
 */
import { createRequire } from 'node:module';
import { failure } from '../errors.js';
import { errnoName } from './errno.js';
import { keepLoaded } from './keep-loaded.js';

export interface SyscallResult {
  /** The C return value. */
  value: number;
  /** The errno name when the call failed ('ESRCH', 'EPERM'...), else undefined. */
  errno: string | undefined;
}

type FfiModule = typeof import('ffi-rs');

const LIBRARY = 'corral-libc';

/** x86_64 and aarch64 syscall numbers (the generic table) for the pidfd calls. */
const SYSCALLS: Record<string, { pidfdOpen: number; pidfdSendSignal: number }> = {
  x64: { pidfdOpen: 434, pidfdSendSignal: 424 },
  arm64: { pidfdOpen: 434, pidfdSendSignal: 424 },
};

let ffi: FfiModule | undefined;

function load(): FfiModule {
  if (ffi) return ffi;
  let module: FfiModule;
  try {
    module = createRequire(import.meta.url)('ffi-rs') as FfiModule;
  } catch (error) {
    throw failure('ELIBC', `ffi-rs could not be loaded on ${process.platform}-${process.arch}`, error);
  }
  keepLoaded(/^ffi-rs\..*\.node$/);
  module.open({ library: LIBRARY, path: '' });
  ffi = module;
  return module;
}

function call(
  funcName: string,
  retType: 'i32' | 'i64',
  params: Array<{ type: 'i32' | 'i64'; value: number }>,
): SyscallResult {
  const m = load();
  const toType = (t: 'i32' | 'i64') => (t === 'i32' ? m.DataType.I32 : m.DataType.I64);
  const result = m.load({
    library: LIBRARY,
    funcName,
    retType: toType(retType),
    paramsType: params.map((p) => toType(p.type)),
    paramsValue: params.map((p) => p.value),
    errno: true,
  }) as unknown as { value: number; errnoCode: number };
  const value = Number(result.value);
  return { value, errno: value === -1 ? errnoName(result.errnoCode) : undefined };
}

const i32 = (value: number) => ({ type: 'i32' as const, value });
const i64 = (value: number) => ({ type: 'i64' as const, value });

/** kill(2) to one pid. */
export function kill(pid: number, signal: number): SyscallResult {
  return call('kill', 'i32', [i32(pid), i32(signal)]);
}

/** pidfd_open(2): a file descriptor that names this very process, never a successor with a recycled pid. */
export function pidfdOpen(pid: number): SyscallResult {
  const numbers = SYSCALLS[process.arch];
  if (!numbers) return { value: -1, errno: 'ENOSYS' };
  return call('syscall', 'i64', [i64(numbers.pidfdOpen), i64(pid), i64(0)]);
}

/** pidfd_send_signal(2). Arguments go as 64-bit values: syscall(2) is variadic and reads longs. */
export function pidfdSendSignal(pidfd: number, signal: number): SyscallResult {
  const numbers = SYSCALLS[process.arch];
  if (!numbers) return { value: -1, errno: 'ENOSYS' };
  return call('syscall', 'i64', [i64(numbers.pidfdSendSignal), i64(pidfd), i64(signal), i64(0), i64(0)]);
}

const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
const WNOHANG = 1;

/**
 * prctl(PR_SET_CHILD_SUBREAPER, on): while on, an orphaned descendant is
 * re-parented to this process instead of init. Not inherited across fork.
 */
export function setChildSubreaper(on: boolean): SyscallResult {
  return call('prctl', 'i32', [i32(PR_SET_CHILD_SUBREAPER), i64(on ? 1 : 0), i64(0), i64(0), i64(0)]);
}

/**
 * prctl(PR_GET_CHILD_SUBREAPER): whether this process is a child subreaper
 * now (an init, or a supervisor that embeds corral, may have made it one);
 * undefined where the kernel refused to say.
 */
export function childSubreaperIsOn(): boolean | undefined {
  const m = load();
  // The kernel writes the flag through an int pointer: one int, allocated by ffi-rs for the call.
  const flag = m.createPointer({ paramsType: [m.DataType.I32], paramsValue: [0] });
  try {
    const result = m.load({
      library: LIBRARY,
      funcName: 'prctl',
      retType: m.DataType.I32,
      paramsType: [m.DataType.I32, m.DataType.External, m.DataType.I64, m.DataType.I64, m.DataType.I64],
      paramsValue: [PR_GET_CHILD_SUBREAPER, flag[0], 0, 0, 0],
    }) as unknown as number;
    if (Number(result) !== 0) return undefined;
    const [value] = m.restorePointer({ retType: [m.DataType.I32], paramsValue: flag }) as unknown as number[];
    return value !== 0;
  } finally {
    m.freePointer({ paramsType: [m.DataType.I32], paramsValue: flag, pointerType: m.PointerType.RsPointer });
  }
}

/**
 * waitpid(pid, NULL, WNOHANG): reap exactly this child if it has exited
 * (value = pid), 0 while it runs. The status pointer goes as a 64-bit 0 (NULL):
 * the exit status of an adopted orphan is nobody's to report.
 */
export function reapNoHang(pid: number): SyscallResult {
  return call('waitpid', 'i32', [i32(pid), i64(0), i32(WNOHANG)]);
}
