/**
 * Starting a child inside the group before it runs a single instruction of
 * its program (the whole story, and what of Node's behaviour is kept:
 * docs/mechanisms.md, "Starting children without a race"). The child starts
 * as a shell shim that waits on a release pipe of its own (one more stdio
 * entry, after the user's). The parent writes the shim's pid into
 * cgroup.procs as soon as spawn() returns (libuv returns only after the
 * shim's exec, so the pid is the shim's), then writes one line on that pipe:
 * "go", or why the placement failed. The shim execs the program only on "go"
 * (exec keeps the pid); anything else, or no answer, makes it exit 126. Only
 * the parent writes cgroup.procs, so the child's `uid`/`gid` never matter.
 * Not supported: `argv0` (a POSIX shell's exec cannot set argv[0]), and more
 * than 9 stdio entries (dash can redirect single-digit descriptors only).
 */
import { spawn, type ChildProcess, type SpawnOptions, type StdioOptions } from 'node:child_process';
import { errnoOf, invalidOption } from '../../errors.js';
import { bestEffort, type CgroupFs } from './cgroup-fs.js';
import { spawnThrough } from '../spawn/spawn-through.js';

const SHIM_SHELL = '/bin/sh';
/** The highest descriptor a POSIX sh must be able to redirect. */
const HIGHEST_SHELL_FD = 9;
const RELEASE = 'go';

/** $0 is the cgroup.procs path (for the message), "$@" the program and its arguments. */
function shimScript(releaseFd: number): string {
  return (
    `read -r answer <&${releaseFd}; exec ${releaseFd}<&-; ` +
    `[ "$answer" = ${RELEASE} ] || { printf 'corral: cannot join the cgroup (%s: %s); %s was not started\\n' ` +
    `"$0" "\${answer:-no answer}" "$1" >&2; exit 126; }; ` +
    'exec "$@"'
  );
}

/**
 * `execPrefix`: a wrapper of the caller's (setpriv) that the shim execs, and
 * that execs the command in turn: one process, one pass over the command.
 */
export function spawnInCgroup(
  fs: CgroupFs,
  dir: string,
  file: string,
  args: readonly string[],
  options: SpawnOptions,
  execPrefix: readonly string[] = [],
): ChildProcess {
  const procs = `${dir}/cgroup.procs`;
  return spawnThrough(
    {
      // The shim's $0 and "$@"; its script goes before them once the release descriptor is known.
      prefix: [SHIM_SHELL, procs, ...execPrefix],
      start: (shell, shimArgs, shimOptions) => {
        const stdio = withReleasePipe(shimOptions.stdio);
        const child = spawn(shell, ['-c', shimScript(stdio.releaseFd), ...shimArgs], {
          ...shimOptions,
          stdio: stdio.entries,
        });
        placeAndRelease(fs, procs, child, stdio.releaseFd);
        return child;
      },
      unstartable: (f, a, o) => spawnForNodesOwnError(fs, dir, f, a, o),
    },
    file,
    args,
    options,
  );
}

/**
 * The user's stdio with the release pipe after it. Forms Node would reject
 * are passed on untouched, so that Node's own error is thrown (the shim,
 * should it start anyway, finds no release pipe and exits 126).
 */
function withReleasePipe(stdio: SpawnOptions['stdio']): { entries: StdioOptions; releaseFd: number } {
  let entries: unknown[];
  if (stdio === undefined || stdio === null) entries = ['pipe', 'pipe', 'pipe'];
  else if (typeof stdio === 'string' && ['pipe', 'ignore', 'inherit', 'overlapped'].includes(stdio))
    entries = [stdio, stdio, stdio];
  else if (Array.isArray(stdio)) entries = [...stdio];
  else return { entries: stdio, releaseFd: 3 };
  // Node fills the first three up with pipes; the release pipe comes after them.
  while (entries.length < 3) entries.push(undefined);
  if (entries.length > HIGHEST_SHELL_FD) {
    throw invalidOption(
      `spawn(): under the cgroup mechanism stdio can have at most ${HIGHEST_SHELL_FD} entries ` +
        `(the placement shim needs descriptor ${entries.length}), got ${entries.length}`,
    );
  }
  return { entries: [...entries, 'pipe'] as StdioOptions, releaseFd: entries.length };
}

/**
 * Place the shim, then release it: "go" if it is in the group, otherwise
 * the reason (the shim refuses to exec). The line is written synchronously
 * (a few bytes into an empty socket buffer), so the pipe can be closed at
 * once; the release entry is then taken out of child.stdio. A shim that
 * never started (EAGAIN at pids.max...) has nothing to release.
 */
function placeAndRelease(fs: CgroupFs, procs: string, child: ChildProcess, releaseFd: number): void {
  const release = child.stdio[releaseFd];
  (child.stdio as unknown[]).splice(releaseFd, 1);
  if (release === null || release === undefined) return;
  let answer: string = RELEASE;
  if (child.pid !== undefined) {
    try {
      fs.writeFileSync(procs, String(child.pid));
    } catch (error) {
      answer = errnoOf(error) ?? 'the write failed';
    }
  }
  // A shim already dead (killed at once) makes the write fail with EPIPE: nothing to report.
  release.on('error', () => undefined);
  if (child.pid !== undefined) (release as NodeJS.WritableStream).write(`${answer}\n`);
  release.destroy();
}

function spawnForNodesOwnError(
  fs: CgroupFs,
  dir: string,
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  const child = spawn(file, args, options);
  if (child.pid !== undefined) {
    // Killed at once anyway: a failed placement does not matter.
    bestEffort(() => fs.writeFileSync(`${dir}/cgroup.procs`, String(child.pid)));
    child.kill('SIGKILL');
  }
  return child;
}
