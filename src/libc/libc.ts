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
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { failure } from '../errors.js';

export interface SyscallResult {
  /** The C return value. */
  value: number;
  /** The errno name when the call failed ('ESRCH', 'EPERM'...), else undefined. */
  errno: string | undefined;
}

type FfiModule = typeof import('ffi-rs');

const LIBRARY = 'corral-libc';

/** The pidfd calls' numbers, the same on x86_64 and aarch64 (the generic table); elsewhere they are ENOSYS. */
const SYSCALL_ARCHS = new Set(['x64', 'arm64']);
const SYS_PIDFD_OPEN = 434;
const SYS_PIDFD_SEND_SIGNAL = 424;

/** Errno names by number: the first name of numbers that have aliases (EAGAIN/EWOULDBLOCK). */
const errnoNames = new Map<number, string>();
for (const [name, number] of Object.entries(constants.errno)) {
  if (!errnoNames.has(number)) errnoNames.set(number, name);
}

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

/** glibc's and musl's value; os.constants.dlopen does not list it. */
const RTLD_NODELETE = 0x1000;

/**
 * Keep ffi-rs's native binary loaded for the life of the process.
 *
 * Node unloads an addon when the last thread that loaded it ends. ffi-rs is
 * a Rust addon, and a Rust library unloaded while its thread-local
 * destructors still run crashes the whole process with SIGSEGV
 * (rust-lang/rust#91979; napi-rs/package-template#308): corral used in a
 * Worker only, never in the main thread, took its process down when that
 * Worker ended. Opening the loaded file once more with RTLD_NODELETE marks
 * it as never to be unloaded. The main thread needs nothing: the process
 * ends with it.
 */
function keepLoaded(library: RegExp): void {
  if (process.getBuiltinModule('node:worker_threads').isMainThread) return;
  const path = loadedFile(library);
  if (path !== undefined) process.dlopen({ exports: {} }, path, constants.dlopen.RTLD_NOW | RTLD_NODELETE);
}

/** The path of the mapped file whose name `library` matches, from /proc/self/maps. */
function loadedFile(library: RegExp): string | undefined {
  for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
    const path = line.slice(line.indexOf('/'));
    if (line.includes('/') && library.test(path.slice(path.lastIndexOf('/') + 1))) return path;
  }
  return undefined;
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
  const errno = value === -1 ? (errnoNames.get(result.errnoCode) ?? `E${result.errnoCode}`) : undefined;
  return { value, errno };
}

const i32 = (value: number) => ({ type: 'i32' as const, value });
const i64 = (value: number) => ({ type: 'i64' as const, value });

/** kill(2) to one pid. */
export function kill(pid: number, signal: number): SyscallResult {
  return call('kill', 'i32', [i32(pid), i32(signal)]);
}

/** syscall(2). Arguments go as 64-bit values: it is variadic and reads longs. */
function syscall(number: number, ...args: number[]): SyscallResult {
  if (!SYSCALL_ARCHS.has(process.arch)) return { value: -1, errno: 'ENOSYS' };
  return call('syscall', 'i64', [number, ...args].map(i64));
}

/** pidfd_open(2): a file descriptor that names this very process, never a successor with a recycled pid. */
export function pidfdOpen(pid: number): SyscallResult {
  return syscall(SYS_PIDFD_OPEN, pid, 0);
}

/** pidfd_send_signal(2). */
export function pidfdSendSignal(pidfd: number, signal: number): SyscallResult {
  return syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
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
