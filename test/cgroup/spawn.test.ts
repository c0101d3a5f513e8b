/**
 * Spawning into a cgroup looks exactly like child_process.spawn: the child is
 * in the group before it runs anything, its pid is the program's, stdio and
 * env pass through, `shell: true` works, and a command that cannot start
 * fails with Node's own error, leaving nothing behind.
 */
import test from 'ava';
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { primeMigration, primerInFlight, primerSettled } from '../../src/mechanisms/cgroup/migration-primer.js';
import { cgroupName, destroyCgroupDir, exited, openCgroup, requireCgroup } from './cgroup-kit.js';

function collect(child: ChildProcess): Promise<string> {
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return exited(child).then(() => out);
}

function spawnError(child: ChildProcess): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve) => child.once('error', resolve));
}

/** Everything Node puts on a spawn error, as plain data. */
function errorFields(error: NodeJS.ErrnoException & { spawnargs?: string[] }) {
  return {
    message: error.message,
    code: error.code,
    errno: error.errno,
    syscall: error.syscall,
    path: error.path,
    spawnargs: error.spawnargs,
  };
}

test('the child is in the group before it runs anything, with its own pid', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t);
  const child = group.spawn('cat', ['/proc/self/cgroup'], { env: tag.env, stdio: ['ignore', 'pipe', 'inherit'] });
  t.is(child.spawnfile, 'cat');
  t.deepEqual(child.spawnargs, ['cat', '/proc/self/cgroup']);

  const out = await collect(child);

  t.regex(out, new RegExp(`^0::${cgroupName(group.cgroupPath!)}$`, 'm'));
  assertNoSurvivors(t, tag);
});

test('the returned pid is the program itself (exec keeps it), and env and stdin/stdout pass through', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t);
  const child = group.spawn('sh', ['-c', 'echo "$$ $CORRAL_TEST_TAG"; read line; echo "got $line"'], {
    env: tag.env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.end('hello\n');

  const out = await collect(child);

  t.is(out, `${child.pid} ${tag.tag}\ngot hello\n`);
  assertNoSurvivors(t, tag);
});

test('shell: true builds the command Node builds, and stderr passes through', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t);
  const child = group.spawn('echo out; echo err >&2; exit 3', {
    shell: true,
    env: tag.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const [out, status] = await Promise.all([collect(child), exited(child)]);

  t.is(out, 'out\n');
  t.is(err, 'err\n');
  t.is(status.code, 3);
  t.is(child.spawnfile, '/bin/sh');
  t.deepEqual(child.spawnargs, ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3']);
  assertNoSurvivors(t, tag);
});

const scratch = mkdtempSync(join(tmpdir(), 'corral-cgroup-spawn-'));
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));
const notExecutable = join(scratch, 'not-executable');
writeFileSync(notExecutable, '#!/bin/sh\necho should not run\n');
chmodSync(notExecutable, 0o644);

const failures: Array<{ title: string; command: string; options?: { cwd?: string; shell?: boolean | string } }> = [
  { title: 'a command not on PATH (ENOENT)', command: 'corral-no-such-command' },
  { title: 'a missing path (ENOENT)', command: join(scratch, 'missing') },
  { title: 'a file without execute permission (EACCES)', command: notExecutable },
  { title: 'a directory (EACCES)', command: scratch },
  { title: 'a cwd that does not exist', command: 'true', options: { cwd: join(scratch, 'no-such-dir') } },
  { title: 'a shell that does not exist', command: 'true', options: { shell: join(scratch, 'no-shell') } },
];

for (const { title, command, options } of failures) {
  test(`spawning ${title} fails exactly as Node's spawn does, leaving nothing`, async (t) => {
    if (!(await requireCgroup(t))) return;
    const tag = tagFor(t);
    const group = await openCgroup(t);
    const spawnOptions = { ...options, env: tag.env, stdio: 'ignore' as const };
    const native = nodeSpawn(command, ['arg'], spawnOptions);
    const nativeError = await spawnError(native);

    const child = group.spawn(command, ['arg'], spawnOptions);
    const error = await spawnError(child);

    t.deepEqual(errorFields(error), errorFields(nativeError));
    t.is(child.pid, undefined);
    t.deepEqual(await group.members(), []);
    assertNoSurvivors(t, tag);
  });
}

test('a child whose group was removed is refused by the shim: exit 126, a message, the program never runs', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t);
  const marker = join(scratch, 'ran');
  await destroyCgroupDir(group.cgroupPath!);

  const child = group.spawn('sh', ['-c', `touch ${marker}`], { env: tag.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const status = await exited(child);

  t.is(status.code, 126);
  t.regex(err, /corral: cannot join the cgroup/);
  t.throws(() => rmSync(marker), { code: 'ENOENT' }, 'the program did not run');
  assertNoSurvivors(t, tag);
});

test("the release pipe never reaches the program: it sees exactly the descriptors a plain spawn gives it, and child.stdio is the user's", async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t);
  // Gaps and extra pipes, as a user might ask for; `ls` lists its own directory fd too, in both runs alike.
  const options = {
    env: tag.env,
    stdio: ['ignore', 'pipe', 'inherit', 'pipe', 'ignore', 'pipe'] as Array<'ignore' | 'pipe' | 'inherit'>,
  };
  const script = 'ls /proc/self/fd | sort -n | tr "\\n" " "';
  const native = nodeSpawn('sh', ['-c', script], options);
  const child = group.spawn('sh', ['-c', script], options);

  t.is(child.stdio.length, native.stdio.length);
  t.deepEqual(
    child.stdio.map((stream) => stream === null),
    native.stdio.map((stream) => stream === null),
  );
  const [ours, theirs] = await Promise.all([collect(child), collect(native)]);
  t.is(ours, theirs);
  t.false(ours.trim().split(' ').includes('6'), `the release pipe would be fd 6: ${ours}`);
  assertNoSurvivors(t, tag);
});

test('more stdio entries than a POSIX sh can redirect are refused with EINVALID_OPTION, nothing started', async (t) => {
  if (!(await requireCgroup(t))) return;
  const group = await openCgroup(t);
  const error = t.throws(() => group.spawn('true', [], { stdio: Array.from({ length: 10 }, () => 'ignore' as const) }));
  t.is((error as { code?: string }).code, 'EINVALID_OPTION');
  t.regex(error!.message, /at most 9 entries/);
  t.deepEqual(await group.members(), []);
});

test("a stdio value Node rejects is rejected with Node's own error", async (t) => {
  if (!(await requireCgroup(t))) return;
  const group = await openCgroup(t);
  const native = t.throws(() => nodeSpawn('true', [], { stdio: 'bogus' as 'pipe' }));
  const ours = t.throws(() => group.spawn('true', [], { stdio: 'bogus' as 'pipe' }));
  t.is(ours!.message, native!.message);
  t.is((ours as NodeJS.ErrnoException).code, (native as NodeJS.ErrnoException).code);
  t.deepEqual(await group.members(), []);
});

test('the self-move that primes the first migration (migration-primer.ts) leaves this process, all its threads, in its own cgroup', async (t) => {
  if (!(await requireCgroup(t))) return;
  const own = () => readFileSync('/proc/self/cgroup', 'utf8');
  const threadCgroups = () =>
    readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/cgroup`, 'utf8'));
  const before = own();
  const threadsBefore = new Set(threadCgroups());
  primeMigration();
  primeMigration(); // one in flight at a time: the second call adds nothing
  await primerSettled();
  t.false(primerInFlight());
  t.is(own(), before);
  t.deepEqual(new Set(threadCgroups()), threadsBefore, 'no thread was gathered from elsewhere');
  // And the migration it primed still places a child in its group.
  const tag = tagFor(t);
  const group = await openCgroup(t);
  const child = group.spawn('cat', ['/proc/self/cgroup'], { env: tag.env, stdio: ['ignore', 'pipe', 'inherit'] });
  t.regex(await collect(child), new RegExp(`^0::${cgroupName(group.cgroupPath!)}$`, 'm'));
  t.is(own(), before);
  assertNoSurvivors(t, tag);
});
