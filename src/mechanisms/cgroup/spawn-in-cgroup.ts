/**
 * Starting a child inside the group before it runs a single instruction of
 * its program. Node cannot run code between fork and exec, so the child
 * starts as a tiny shell that writes its own pid into the group's
 * cgroup.procs and then execs the real program: exec keeps the pid, so the
 * ChildProcess Node returns is the user's program, already contained, and
 * nothing it forks can start outside. If the write fails (the group was
 * removed meanwhile) the shim exits 126 with a message on stderr and never
 * runs the program. The shim costs about 1 ms per spawn (README, Performance).
 *
 * What the user sees stays Node's: `shell` is turned into the same
 * `/bin/sh -c "<command>"` Node builds; spawnfile and spawnargs show the
 * user's command, not the shim; stdio, env, cwd, detached, uid/gid pass
 * through. A command that cannot start (ENOENT, EACCES, a missing cwd) is
 * handed to Node's own spawn, so the error is Node's genuine one; should
 * that spawn succeed after all (the file appeared in between), the process
 * is moved into the group and SIGKILLed at once: it never runs uncontained
 * for more than an instant, and never survives.
 *
 * Not supported: `argv0` (a POSIX shell's exec cannot set argv[0]; the
 * program sees its file name). With `uid`/`gid` the shim runs as that user,
 * who then needs write access to cgroup.procs (delegate the parent to them).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CgroupFs } from './cgroup-fs.js';
import { predictExecFailure } from './predict-exec-failure.js';

/** $0 is the cgroup.procs path, "$@" the program and its arguments. */
const SHIM =
  'echo $$ 2>/dev/null >"$0" || { echo "corral: cannot join the cgroup ($0); $1 was not started" >&2; exit 126; }; exec "$@"';
const SHIM_SHELL = '/bin/sh';

/** The file and arguments Node would exec for these options (its `shell` handling, POSIX branch). */
function commandLine(file: string, args: readonly string[], options: SpawnOptions): { file: string; args: string[] } {
  if (!options.shell) return { file, args: [...args] };
  const shell = typeof options.shell === 'string' ? options.shell : '/bin/sh';
  return { file: shell, args: ['-c', [file, ...args].join(' ')] };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

export function spawnInCgroup(fs: CgroupFs, dir: string, file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const command = commandLine(file, args, options);
  const cwd = options.cwd instanceof URL ? fileURLToPath(options.cwd) : options.cwd;
  if (predictExecFailure(command.file, options.env ?? process.env, cwd) !== undefined) {
    return spawnForNodesOwnError(fs, dir, file, args, options);
  }
  const shimOptions: SpawnOptions = { ...options, shell: false };
  delete shimOptions.argv0;
  const child = spawn(SHIM_SHELL, ['-c', SHIM, `${dir}/cgroup.procs`, command.file, ...command.args], shimOptions);
  placeNow(fs, dir, child);
  const shown = child as Writable<ChildProcess>;
  shown.spawnfile = command.file;
  shown.spawnargs = [command.file, ...command.args];
  return child;
}

/**
 * The shim places the child itself, but only once it gets to run, after
 * spawn() has returned: a kill() right after spawn() would find the group
 * empty and the shim would join it afterwards, alive. So the parent places
 * it too, at once (libuv's spawn returns only after the exec of the shim,
 * so the pid is the shim's). Whichever write comes first contains it; the
 * shim's own write keeps the target from running before either. A failure
 * here (the child already gone, a `uid` the parent cannot move) is left to the shim.
 */
function placeNow(fs: CgroupFs, dir: string, child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    fs.writeFileSync(`${dir}/cgroup.procs`, String(child.pid));
  } catch {
    // See above.
  }
}

function spawnForNodesOwnError(fs: CgroupFs, dir: string, file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(file, args, options);
  if (child.pid !== undefined) {
    placeNow(fs, dir, child);
    child.kill('SIGKILL');
  }
  return child;
}
