/**
 * `hermetic()`, called at the top of a test file, declares that file
 * hermetic: its tests run on fakes and the virtual clock, and nothing they
 * check depends on the machine, the process tree or the user running them.
 *
 * Why it matters: the guest (test-vm/) runs the suite once as root and once
 * as the delegated user, and under TCG every test file costs seconds of CPU
 * before its first test even starts. A hermetic file's verdict is the same
 * for both users, so the guest runs it once, in root's run
 * (test-vm/suite.sh picks the files by this call).
 *
 * The declaration is checked, in every run of the file (the host's too):
 * from the call on, this worker process (ava gives each file its own) throws
 * instead of
 * - starting a process (any child_process function);
 * - sending a signal (process.kill);
 * - asking who it runs as (uid, gid, groups, os.userInfo);
 * - touching /proc or /sys, where the live tree, the cgroups and this
 *   process's own cgroup (which differs between the users) are.
 * So a file that stops being hermetic fails loudly instead of quietly losing
 * its run as the second user.
 */
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';

export class NotHermeticError extends Error {
  override readonly name = 'NotHermeticError';
  constructor(what: string) {
    super(
      `a hermetic test file (test/helpers/hermetic.ts) must not ${what}: use a fake, or drop hermetic() so the guest runs the file as every user`,
    );
  }
}

const PROCESS_STARTERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
const IDENTITY = ['getuid', 'geteuid', 'getgid', 'getegid', 'getgroups'] as const;
/** fs functions whose first argument is a path, in fs and fs/promises alike. */
const PATH_FUNCTIONS = [
  'access',
  'accessSync',
  'appendFile',
  'appendFileSync',
  'chmod',
  'chmodSync',
  'chown',
  'chownSync',
  'createReadStream',
  'createWriteStream',
  'existsSync',
  'lstat',
  'lstatSync',
  'mkdir',
  'mkdirSync',
  'open',
  'openSync',
  'opendir',
  'opendirSync',
  'readFile',
  'readFileSync',
  'readdir',
  'readdirSync',
  'readlink',
  'readlinkSync',
  'realpath',
  'realpathSync',
  'rm',
  'rmSync',
  'rmdir',
  'rmdirSync',
  'stat',
  'statSync',
  'statfs',
  'statfsSync',
  'unlink',
  'unlinkSync',
  'watch',
  'writeFile',
  'writeFileSync',
] as const;

function pathOf(argument: unknown): string | undefined {
  if (typeof argument === 'string') return argument;
  if (argument instanceof URL) return argument.protocol === 'file:' ? decodeURIComponent(argument.pathname) : undefined;
  if (Buffer.isBuffer(argument)) return argument.toString();
  return undefined;
}

/** True for /proc, /sys and what lies under them. */
export function isLiveSystemPath(path: string): boolean {
  return /^\/(proc|sys)(\/|$)/.test(path);
}

type AnyFunction = (...args: unknown[]) => unknown;

function replace(owner: object, name: string, make: (original: AnyFunction) => AnyFunction): void {
  const record = owner as Record<string, unknown>;
  const original = record[name];
  if (typeof original === 'function') record[name] = make(original as AnyFunction);
}

let declared = false;

export function hermetic(): void {
  if (declared) return;
  declared = true;
  for (const name of PROCESS_STARTERS) {
    replace(childProcess, name, () => () => {
      throw new NotHermeticError(`start a process (child_process.${name})`);
    });
  }
  replace(process, 'kill', () => () => {
    throw new NotHermeticError('send a signal (process.kill)');
  });
  for (const name of IDENTITY) {
    replace(process, name, () => () => {
      throw new NotHermeticError(`ask who it runs as (process.${name})`);
    });
  }
  replace(os, 'userInfo', () => () => {
    throw new NotHermeticError('ask who it runs as (os.userInfo)');
  });
  for (const owner of [fs, fs.promises]) {
    for (const name of PATH_FUNCTIONS) {
      replace(
        owner,
        name,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            const path = pathOf(args[0]);
            if (path !== undefined && isLiveSystemPath(path)) throw new NotHermeticError(`touch ${path} (fs.${name})`);
            return original.apply(this, args);
          },
      );
    }
  }
  // ES module imports of node:fs, node:child_process... are live bindings
  // of these objects' properties: make them see the replacements too.
  syncBuiltinESMExports();
}
