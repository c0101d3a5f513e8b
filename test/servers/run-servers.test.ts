/**
 * run() with servers, against both mechanisms and real process trees: the
 * command runs once every server is ready and reaches them; every server's
 * whole tree (a plain child, a daemonized helper) is stopped afterwards and
 * named; a server dying before it is ready, never ready, or dying during the
 * command fails the run with its own outcome and its last lines.
 */
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunOptions } from '../../src/run/run.js';
import { CorralError, type CorralErrorCode } from '../../src/errors.js';
import { patience } from '../helpers/patience.js';
import { freePort, portFreed } from '../helpers/free-port.js';
import { demoServer, quote } from './demo-server-command.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';

const MECHANISMS = ['cgroup', 'pgroup'] as const;

/** A command that fetches each URL and exits 0 when every answer is its expected body. */
function fetchAll(expected: Record<string, string>): [string, string[]] {
  const script = `const e=${JSON.stringify(expected)};Promise.all(Object.entries(e).map(([u,b])=>fetch(u).then(r=>r.text()).then(t=>t===b))).then(a=>process.exit(a.every(Boolean)?0:9),()=>process.exit(8))`;
  return [process.execPath, ['-e', script]];
}

for (const mechanism of MECHANISMS) {
  test(`${mechanism}: the command runs once both servers are ready, reaches them, and both whole trees are stopped`, async (t) => {
    const tag = tagFor(t);
    const [api, web] = [await freePort(), await freePort()];
    const lines: string[] = [];
    const [command, args] = fetchAll({ [`http://127.0.0.1:${api}/`]: 'api', [`http://127.0.0.1:${web}/`]: 'web' });
    const result = await run(command, args, {
      env: tag.env,
      stdio: 'ignore',
      mechanism,
      servers: [
        { name: 'api', command: demoServer('api', api), ready: `http://127.0.0.1:${api}/` },
        { name: 'web', command: demoServer('web', web), ready: 'line:web listening' },
      ],
      serverOutput: (name, line) => lines.push(`${name}: ${line}`),
      readyTimeout: patience(60_000),
    });
    t.is(result.exitCode, 0, 'the command reached both servers');
    t.is(result.serverFailure, undefined);
    t.deepEqual(
      result.servers!.map((s) => s.name),
      ['api', 'web'],
    );
    for (const server of result.servers!) {
      t.true(server.readyMs !== undefined);
      t.is(server.exit, undefined, 'stopped by corral, not exited on its own');
      t.true(
        server.stopped.filter((p) => p.command.startsWith('sleep 1000')).length >= 1,
        `${server.name}: its sleepers were named among what was stopped`,
      );
      t.truthy(server.report);
    }
    t.true(lines.includes(`web: web listening on ${web}`), 'server output goes to serverOutput by line');
    assertNoSurvivors(t, tag);
    t.true(await portFreed(api));
    t.true(await portFreed(web));
  });

  test(`${mechanism}: a server dying before it is ready fails the run, its last line kept, and the command never starts`, async (t) => {
    const tag = tagFor(t);
    const dir = mkdtempSync(join(tmpdir(), 'corral-servers-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const [other, dying] = [await freePort(), await freePort()];
    const result = await run('touch', [join(dir, 'ran')], {
      env: tag.env,
      mechanism,
      servers: [
        { name: 'other', command: demoServer('other', other), ready: `tcp:${other}` },
        { name: 'db', command: demoServer('db', dying, 'die'), ready: `tcp:${dying}` },
      ],
      serverOutput: 'ignore',
      readyTimeout: patience(60_000),
    });
    t.false(existsSync(join(dir, 'ran')), 'the command never ran');
    t.is(result.pid, undefined);
    t.like(result.serverFailure, { server: 'db', reason: 'exited', during: 'start', exit: { code: 3, signal: null } });
    t.deepEqual(result.serverFailure!.lastLines, ['db: cannot open the database']);
    assertNoSurvivors(t, tag);
  });
}

test('a server never ready ends the run at its ready timeout, and nothing is left', async (t) => {
  const tag = tagFor(t);
  const port = await freePort();
  const result = await run('true', [], {
    env: tag.env,
    servers: [{ command: demoServer('slow', port, 'never'), ready: `tcp:${port}`, readyTimeout: 300 }],
    serverOutput: 'ignore',
  });
  t.like(result.serverFailure, { server: 'server1', reason: 'ready-timeout', during: 'start', exit: undefined });
  t.true(result.servers![0]!.stopped.length >= 1, 'the server was stopped, and named');
  assertNoSurvivors(t, tag);
});

test('a server exiting while the command runs stops the command; the failure says so', async (t) => {
  const tag = tagFor(t);
  const dir = mkdtempSync(join(tmpdir(), 'corral-servers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'pid');
  const options: RunOptions = {
    env: tag.env,
    stdio: 'ignore',
    servers: [{ name: 'api', command: `echo $$ > ${quote(pidFile)}; echo up; exec sleep 1000`, ready: 'line:^up$' }],
    serverOutput: 'ignore',
  };
  const result = await run(
    'sh',
    ['-c', `echo "api going away" ; kill $(cat ${quote(pidFile)}); exec sleep 1000`],
    options,
  );
  t.like(result.serverFailure, {
    server: 'api',
    reason: 'exited',
    during: 'run',
    exit: { code: null, signal: 'SIGTERM' },
  });
  t.is(result.signal, 'SIGTERM', 'the command was shut down');
  t.truthy(result.report);
  assertNoSurvivors(t, tag);
});

test('bad servers are refused before anything starts', async (t) => {
  const tag = tagFor(t);
  const bad = async (servers: unknown, code: CorralErrorCode) => {
    const error = await t.throwsAsync(run('true', [], { env: tag.env, servers: servers as RunOptions['servers'] }), {
      instanceOf: CorralError,
    });
    t.is((error as CorralError).code, code);
  };
  await bad([{ command: 'x', ready: 'localhost:3000' }], 'EINVALID_PROBE');
  await bad([{ command: '', ready: 'tcp:1' }], 'EINVALID_OPTION');
  await bad('x', 'EINVALID_OPTION');
  await bad(
    [
      { command: 'a', ready: 'tcp:1', name: 'n' },
      { command: 'b', ready: 'tcp:2', name: 'n' },
    ],
    'EINVALID_OPTION',
  );
  await bad([{ command: 'a', ready: 'tcp:1', typo: 1 }], 'EINVALID_OPTION');
  const idle = await t.throwsAsync(run('true', [], { env: tag.env, idleTimeout: 1000, stdio: 'ignore' }), {
    instanceOf: CorralError,
  });
  t.regex(idle!.message, /idleTimeout reads stdout and stderr/);
  assertNoSurvivors(t, tag);
});
