import type { SpawnOptions } from 'node:child_process';

/**
 * The file and arguments Node would exec for these options: its `shell`
 * handling, POSIX branch (`/bin/sh -c "<command and args joined by spaces>"`).
 * Whoever execs the command through a wrapper (the cgroup shim, setpriv)
 * needs it, and shows it as spawnfile/spawnargs, as Node does.
 */
export function commandLine(
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): { file: string; args: string[] } {
  if (!options.shell) return { file, args: [...args] };
  const shell = typeof options.shell === 'string' ? options.shell : '/bin/sh';
  return { file: shell, args: ['-c', [file, ...args].join(' ')] };
}
