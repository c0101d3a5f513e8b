/**
 * noNewPrivileges under both mechanisms: the child has NoNewPrivs set and
 * the supervisor does not; the pid, spawnfile and spawnargs are the
 * program's; a command that cannot start fails with Node's own error; a bad
 * value or a missing setpriv is refused before anything starts.
 */
import test from 'ava';
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSetpriv } from '../../src/group/no-new-privileges.js';
import { ProcessGroup, run } from '../../src/index.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { exited, requireCgroup } from '../cgroup/cgroup-kit.js';

const ownNoNewPrivs = () => /^NoNewPrivs:\s*(\d)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];

function errorOf(child: ChildProcess): Promise<NodeJS.ErrnoException & { spawnargs?: string[] }> {
  return new Promise((resolve) => child.once('error', resolve));
}

for (const mechanism of ['cgroup', 'pgroup'] as const) {
  test(`${mechanism}: the child runs with NoNewPrivs, the supervisor without; Node's view and errors are kept`, async (t) => {
    if (mechanism === 'cgroup' && !(await requireCgroup(t))) return;
    const tag = tagFor(t);
    const group = await ProcessGroup.create({ mechanism, guard: false });
    t.teardown(() => group.close());
    const child = group.spawn('grep NoNewPrivs /proc/self/status; echo $$', {
      shell: true,
      noNewPrivileges: true,
      env: tag.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    t.is(child.spawnfile, '/bin/sh');
    t.deepEqual(child.spawnargs, ['/bin/sh', '-c', 'grep NoNewPrivs /proc/self/status; echo $$']);

    t.is((await exited(child)).code, 0);
    t.regex(out, new RegExp(`^NoNewPrivs:\\s*1\\n${child.pid}\\n$`));
    t.is(ownNoNewPrivs(), '0', 'the supervisor itself is untouched');

    const options = { noNewPrivileges: true, env: tag.env, stdio: 'ignore' as const };
    const native = await errorOf(nodeSpawn('corral-no-such-command', ['x'], { env: tag.env, stdio: 'ignore' }));
    const error = await errorOf(group.spawn('corral-no-such-command', ['x'], options));
    t.deepEqual(
      [error.message, error.code, error.path, error.spawnargs],
      [native.message, native.code, native.path, native.spawnargs],
    );
    t.throws(() => group.spawn('true', { noNewPrivileges: 'yes' as unknown as boolean }), {
      code: 'EINVALID_OPTION',
      message: /noNewPrivileges must be true or false/,
    });
    t.deepEqual(await group.members(), []);
    assertNoSurvivors(t, tag);
  });
}

test("setpriv is looked up on the supervisor's PATH only", (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'corral-no-setpriv-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  t.is(findSetpriv(`${empty}:relative/dir`), undefined);
  t.regex(findSetpriv() ?? '', /^\/.*\/setpriv$/, 'util-linux setpriv is installed here (and in the guest)');
});

test.serial(
  'without setpriv, run() with noNewPrivileges is refused before anything starts (ENO_NEW_PRIVS_UNAVAILABLE)',
  async (t) => {
    const tag = tagFor(t);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await t.throwsAsync(run('/bin/true', [], { noNewPrivileges: true, env: tag.env, guard: false }), {
        code: 'ENO_NEW_PRIVS_UNAVAILABLE',
        message: /setpriv \(util-linux\)/,
      });
      const group = await ProcessGroup.create({ mechanism: 'pgroup', guard: false });
      t.teardown(() => group.close());
      t.throws(() => group.spawn('/bin/true', { noNewPrivileges: true, env: tag.env }), {
        code: 'ENO_NEW_PRIVS_UNAVAILABLE',
      });
    } finally {
      process.env.PATH = path;
    }
    await t.throwsAsync(run('/bin/true', [], { noNewPrivileges: 1 as unknown as boolean, guard: false }), {
      code: 'EINVALID_OPTION',
    });
    assertNoSurvivors(t, tag);
  },
);
