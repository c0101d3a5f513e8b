/**
 * Each public method of ProcessGroup, driven into each failure it can meet
 * without a real host, and the `code` it rejects with: the table in
 * docs/api.md (Errors), checked. The cgroup mechanism runs for real on a
 * fake file system (its seam) that fails one kernel file at a time, and on
 * the virtual clock, so no process is signalled and no verdict waits on time.
 * What needs a real host (no cgroup v2, limits that cannot be set, a delivery
 * the kernel refuses) is checked in test/cgroup, test/group and test/run.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorralError, type CorralErrorCode } from '../../src/errors.js';
import { ProcessGroup } from '../../src/index.js';
import { CgroupContainment } from '../../src/mechanisms/cgroup/cgroup-containment.js';
import type { CgroupFs } from '../../src/mechanisms/cgroup/cgroup-fs.js';
import { hermetic } from '../helpers/hermetic.js';
import { REPO } from '../helpers/node-script.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

hermetic();

const DIR = '/corral-error-codes/corral-1-1';
/** PID_MAX_LIMIT + 1: no process can have it, so a signal the code under test sends to it reaches no one. */
const NO_SUCH_PID = 4_194_305;

interface FakeKernel {
  /** Control files (by name) whose reads and writes fail with EACCES. */
  failing?: readonly string[];
  /** Members listed in cgroup.procs. */
  members?: readonly number[];
  /** cgroup.events says populated. */
  populated?: boolean;
  /** mkdir and rmdir fail with EACCES. */
  readOnly?: boolean;
}

function denied(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EACCES: permission denied, '${path}'`), { code: 'EACCES', path });
}

/** A cgroup file system that fails as `kernel` says until healed. */
function fakeFs(kernel: FakeKernel): { fs: CgroupFs; heal(): void } {
  let { failing = [], members = [], populated = false, readOnly = false } = kernel;
  const check = (path: string) => {
    if (failing.some((name) => path.endsWith(`/${name}`))) throw denied(path);
  };
  const read = (path: string): string => {
    check(path);
    if (path.endsWith('/cgroup.procs')) return members.map((pid) => `${pid}\n`).join('');
    if (path.endsWith('/cgroup.events')) return `populated ${populated ? 1 : 0}\nfrozen 0\n`;
    throw Object.assign(new Error(`ENOENT: '${path}'`), { code: 'ENOENT', path });
  };
  const directory = (path: string) => {
    if (readOnly) throw denied(path);
  };
  const fs: CgroupFs = {
    readFile: async (path) => read(path),
    readFileSync: read,
    writeFile: async (path) => check(path),
    writeFileSync: check,
    mkdir: async (path) => directory(path),
    rmdir: async (path) => directory(path),
    rmdirSync: directory,
    childDirsSync: () => [],
  };
  const heal = () => {
    failing = [];
    members = [];
    populated = false;
    readOnly = false;
  };
  return { fs, heal };
}

/** Every group a case made, closed once its kernel is healed: none is left to exit cleanup. */
const opened: Array<{ group: ProcessGroup; heal(): void }> = [];

test.after.always(async () => {
  for (const { group, heal } of opened) {
    heal();
    await group.close();
  }
});

function groupOn(kernel: FakeKernel): ProcessGroup {
  const clock = new VirtualClock();
  const { fs, heal } = fakeFs(kernel);
  const containment = new CgroupContainment(DIR, { fs, clock });
  const group = ProcessGroup.fromContainment(containment, { killTimeout: 0, shutdownTimeout: 0 });
  opened.push({ group, heal });
  return group;
}

async function codeOf(operation: () => unknown): Promise<CorralErrorCode | string> {
  try {
    await operation();
  } catch (error) {
    return error instanceof CorralError ? error.code : `not a CorralError: ${String(error)}`;
  }
  return 'no error';
}

async function closedGroup(): Promise<ProcessGroup> {
  const group = groupOn({});
  await group.close();
  return group;
}

const cases: Array<[method: string, failure: string, code: CorralErrorCode, operation: () => Promise<unknown>]> = [
  [
    'create()',
    'an unknown mechanism',
    'EINVALID_MECHANISM',
    () => ProcessGroup.create({ mechanism: 'docker' as 'auto' }),
  ],
  ['create()', 'an unknown option', 'EINVALID_OPTION', () => ProcessGroup.create({ timeout: 5 } as object)],
  ['create()', 'a negative duration', 'EINVALID_OPTION', () => ProcessGroup.create({ shutdownTimeout: -1 })],
  [
    'create()',
    'an unknown killSignal',
    'EINVALID_SIGNAL',
    () => ProcessGroup.create({ killSignal: 'SIGNOPE' as NodeJS.Signals }),
  ],
  ['create()', 'a negative limit', 'EINVALID_LIMIT', () => ProcessGroup.create({ limits: { memoryBytes: -1 } })],
  ['spawn()', 'an empty command', 'EINVALID_OPTION', async () => groupOn({}).spawn('')],
  [
    'spawn()',
    'noNewPrivileges not a boolean',
    'EINVALID_OPTION',
    async () => groupOn({}).spawn('true', [], { noNewPrivileges: 'yes' as unknown as boolean }),
  ],
  [
    'spawn()',
    'noNewPrivileges without setpriv on PATH',
    'ENO_NEW_PRIVS_UNAVAILABLE',
    async () => {
      const path = process.env.PATH;
      process.env.PATH = '/corral-error-codes/no-such-directory';
      try {
        return groupOn({}).spawn('true', [], { noNewPrivileges: true });
      } finally {
        process.env.PATH = path;
      }
    },
  ],
  ['spawn()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).spawn('true')],
  ['signal()', 'an unknown signal', 'EINVALID_SIGNAL', () => groupOn({}).signal('SIGNOPE' as NodeJS.Signals)],
  ['signal()', 'cgroup.procs unreadable', 'ESIGNAL_FAILED', () => groupOn({ failing: ['cgroup.procs'] }).signal()],
  ['signal()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).signal()],
  ['members()', 'cgroup.procs unreadable', 'EREAD_FAILED', () => groupOn({ failing: ['cgroup.procs'] }).members()],
  ['stats()', 'cgroup.procs unreadable', 'EREAD_FAILED', () => groupOn({ failing: ['cgroup.procs'] }).stats()],
  ['stats()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).stats()],
  [
    'finalStats()',
    'cgroup.procs unreadable',
    'EREAD_FAILED',
    () => groupOn({ failing: ['cgroup.procs'] }).finalStats(),
  ],
  ['finalStats()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).finalStats()],
  [
    'suspend()',
    'cgroup.freeze not writable',
    'ESIGNAL_FAILED',
    () => groupOn({ failing: ['cgroup.freeze'] }).suspend(),
  ],
  ['suspend()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).suspend()],
  ['resume()', 'cgroup.freeze not writable', 'ESIGNAL_FAILED', () => groupOn({ failing: ['cgroup.freeze'] }).resume()],
  ['resume()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).resume()],
  ['shutdown()', 'a bad option', 'EINVALID_OPTION', () => groupOn({}).shutdown({ timeout: -1 })],
  [
    'shutdown()',
    'cgroup.procs unreadable, members remain',
    'EREAD_FAILED',
    () => groupOn({ failing: ['cgroup.procs'], populated: true }).shutdown(),
  ],
  ['shutdown()', 'cgroup.events unreadable', 'EREAD_FAILED', () => groupOn({ failing: ['cgroup.events'] }).shutdown()],
  [
    'shutdown()',
    'cgroup.kill not writable, members remain',
    'EKILL_FAILED',
    () => groupOn({ failing: ['cgroup.kill'], members: [NO_SUCH_PID], populated: true }).shutdown(),
  ],
  ['shutdown()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).shutdown()],
  [
    'kill()',
    'cgroup.kill not writable, members remain',
    'EKILL_FAILED',
    () => groupOn({ failing: ['cgroup.kill'], members: [NO_SUCH_PID], populated: true }).kill(),
  ],
  [
    'kill()',
    'members outlive killTimeout',
    'EKILL_TIMEOUT',
    () => groupOn({ members: [NO_SUCH_PID], populated: true }).kill(),
  ],
  ['kill()', 'cgroup.events unreadable', 'EREAD_FAILED', () => groupOn({ failing: ['cgroup.events'] }).kill()],
  ['close()', 'the directory cannot be removed', 'ECGROUP_REMOVE', () => groupOn({ readOnly: true }).close()],
  [
    'close()',
    'cgroup.kill not writable, members remain',
    'EKILL_FAILED',
    () => groupOn({ failing: ['cgroup.kill'], members: [NO_SUCH_PID], populated: true }).close(),
  ],
  [
    'close()',
    'a spared group whose members cannot be moved',
    'ECGROUP_REMOVE',
    async () => {
      const group = groupOn({ readOnly: true });
      group.spare();
      return group.close();
    },
  ],
  ['spare()', 'a closed group', 'EGROUP_CLOSED', async () => (await closedGroup()).spare()],
];

for (const [method, failure, code, operation] of cases) {
  test(`${method}, ${failure}: ${code}`, async (t) => {
    t.is(await codeOf(operation), code);
  });
}

test('every code a public method can meet without a real host is in the table above', (t) => {
  const covered = new Set(cases.map(([, , code]) => code));
  const needHost: CorralErrorCode[] = ['ECGROUP_UNAVAILABLE', 'ELIMIT_UNENFORCEABLE', 'ELIBC'];
  const all: CorralErrorCode[] = [
    'EINVALID_OPTION',
    'EINVALID_SIGNAL',
    'EINVALID_MECHANISM',
    'EINVALID_LIMIT',
    'EGROUP_CLOSED',
    'ECGROUP_UNAVAILABLE',
    'ELIMIT_UNENFORCEABLE',
    'EKILL_TIMEOUT',
    'EKILL_FAILED',
    'ESIGNAL_FAILED',
    'ECGROUP_REMOVE',
    'ELIBC',
    'ENO_NEW_PRIVS_UNAVAILABLE',
    'EREAD_FAILED',
  ];
  t.deepEqual(
    all.filter((code) => !covered.has(code) && !needHost.includes(code)),
    [],
  );
});

test('docs/api.md has a row for every code of CorralErrorCode, naming what raises it, and none for another code', (t) => {
  const source = readFileSync(join(REPO, 'src/errors.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const union = /export type CorralErrorCode =([^;]*);/.exec(source)?.[1] ?? '';
  const codes = [...union.matchAll(/'(E[A-Z_]+)'/g)].map((match) => match[1]!);
  t.true(codes.length > 15, 'the union was read');
  const docs = readFileSync(join(REPO, 'docs/api.md'), 'utf8');
  const raisedBy = new Map(
    [...docs.matchAll(/^\| `(E[A-Z_]+)` \|[^|\n]*\|([^|\n]*)\|$/gm)].map((row) => [row[1]!, row[2]!.trim()]),
  );
  t.deepEqual(
    codes.filter((code) => !raisedBy.get(code)),
    [],
    'codes with no row, or no "raised by"',
  );
  t.deepEqual(
    [...raisedBy.keys()].filter((code) => !codes.includes(code)),
    [],
    'rows for codes that do not exist',
  );
});
