/**
 * Reading /proc/<pid>/environ: the environment a process was started with
 * (execve), NUL-separated. With one open, one read into a buffer kept for
 * it, and one close: readFileSync would also fstat (a /proc file says size
 * 0) and read again to see the end. Tree walks and the tests' leak checks
 * read the environment of every process, over and over, and under TCG every
 * system call counts.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Most environments fit; a bigger one takes further reads. */
let buffer = Buffer.allocUnsafe(64 * 1024);

/** The raw environ of `pid` (latin1, entries ending in NUL), or undefined when it cannot be read (gone, another user's). */
export function readEnvironSync(pid: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/environ`, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      const got = readSync(fd, buffer, length, buffer.length - length, null);
      length += got;
      // A short read is the end: the kernel copies page after page until the buffer is full or the environment ends.
      if (got === 0 || length < buffer.length) break;
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    return buffer.toString('latin1', 0, length);
  } catch {
    return undefined; // Gone between the open and the read, or not ours (EACCES comes at the read).
  } finally {
    closeSync(fd);
  }
}

/** True when the raw environ holds exactly the entry NAME=value. */
export function environHoldsEntry(environ: string, entry: string): boolean {
  const needle = `${entry}\0`;
  return environ.startsWith(needle) || environ.includes(`\0${needle}`) || environ === entry || environ.endsWith(`\0${entry}`);
}
