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
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** glibc's and musl's value; os.constants.dlopen does not list it. */
const RTLD_NODELETE = 0x1000;

export function keepLoaded(library: RegExp): void {
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
