/**
 * Reading one file of /proc/<pid>/ with one open, one read into a buffer
 * kept for it, and one close. readFileSync would also fstat (a /proc file
 * says size 0), allocate, and read again to see the end. Tree walks read
 * every process's stat and environment, many times during a teardown, and
 * the tests' leak checks do too; under TCG every system call counts. What
 * it saves: docs/performance.md, "Reading /proc".
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** A stat line or most environments fit; a bigger file takes further reads, and the buffer grows for next time. */
let buffer = Buffer.allocUnsafe(64 * 1024);

/** The file's text (latin1), or undefined when it cannot be read (the process is gone, or not ours). */
export function readProcFileSync(pid: number, file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/${file}`, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      const got = readSync(fd, buffer, length, buffer.length - length, null);
      length += got;
      // A short read is the end: the kernel fills the buffer, page after page, until the file ends.
      if (got === 0 || length < buffer.length) break;
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    return buffer.toString('latin1', 0, length);
  } catch {
    return undefined; // Gone between the open and the read (ESRCH), or not ours (EACCES comes at the read).
  } finally {
    closeSync(fd);
  }
}

/** /proc/<pid>/environ: the environment it was started with (execve), entries ending in NUL; undefined as above. */
export function readEnvironSync(pid: number): string | undefined {
  return readProcFileSync(pid, 'environ');
}
