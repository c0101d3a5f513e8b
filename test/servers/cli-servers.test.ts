/**
 * `corral run --server CMD --ready PROBE … -- TESTS` as users run it: the
 * tests reach the servers and their status stands; each failure has its own
 * status and message; an unknown probe form starts nothing; a SIGKILLed
 * corral leaves nothing (the guard covers the servers too).
 */
import test from 'ava';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portFreed } from '../helpers/free-port.js';
import { demoServer, quote } from './demo-server-command.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { lookUntil } from '../helpers/look-until.js';
import { patience, PATIENCE_MS } from '../helpers/patience.js';
import { corral, jsonReport, startCorral } from '../cli/corral-cli.js';

// Serial, as the other CLI files: many Node start-ups at once overload a 2-core machine.
const cliTest = test.serial;

function scratch(t: Parameters<typeof tagFor>[0]): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-cli-servers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const FETCH =
  'Promise.all(process.argv.slice(1).map(u=>fetch(u).then(r=>r.text()))).then(b=>{console.log(b.join(","));process.exit(Number(process.env.STATUS??0))})';

cliTest('the tests reach both servers, their status stands, and both whole trees are stopped and named', async (t) => {
  const tag = tagFor(t);
  const [api, web] = [await freePort(), await freePort()];
  const urls = [`http://127.0.0.1:${api}/`, `http://127.0.0.1:${web}/`];
  const outcome = await corral(
    [
      'run',
      '--json',
      '--verbose',
      '--ready-timeout',
      `${patience(60_000)}ms`,
      '--server',
      demoServer('api', api),
      '--name',
      'api',
      '--ready',
      urls[0]!,
      '--server',
      demoServer('web', web),
      '--ready',
      `tcp:${web}`,
      '--',
      'sh',
      '-c',
      `${quote(process.execPath)} -e '${FETCH}' ${urls.join(' ')}; exit 7`,
    ],
    tag,
  );
  t.is(outcome.status, 7, "the tests' own status");
  t.regex(outcome.stdout, /^api,web$/m, 'the tests reached both servers');
  t.regex(
    outcome.stdout,
    new RegExp(`^\\[api\\] api listening on ${api}$`, 'm'),
    'server output is prefixed with its name',
  );
  t.regex(outcome.stdout, new RegExp(`^\\[server2\\] web listening on ${web}$`, 'm'));
  t.regex(outcome.stderr, /^corral: stopped server api's \d+: sleep 1000$/m, '--verbose names what was stopped');
  const report = jsonReport(outcome);
  t.is(report.status, 7);
  t.is(report.serverFailure, null);
  t.deepEqual(
    report.servers.map((s: { name: string }) => s.name),
    ['api', 'server2'],
  );
  t.true(
    report.servers.every((s: { stopped: unknown[] }) => s.stopped.length >= 3),
    'each server, its child and its daemon',
  );
  assertNoSurvivors(t, tag);
  t.true(await portFreed(api));
  t.true(await portFreed(web));
});

/** A server that fails before it is ready: its status, its message, and the tests never started. */
const notReadyCases: Array<[string, 'die' | 'never', string, number, (port: number) => RegExp[]]> = [
  [
    'a server dying before it is ready: exit 122, its last line shown, the tests never started',
    'die',
    `${patience(60_000)}ms`,
    122,
    () => [
      /^corral: server server1 exited before it was ready \(exit code 3\); the command was not started; its last lines:$/m,
      /^corral: {3}\[server1\] db: cannot open the database$/m,
    ],
  ],
  [
    'a server never ready: exit 121 at --ready-timeout, nothing left, the tests never started',
    'never',
    '500ms',
    121,
    (port) => [
      new RegExp(
        `^corral: server server1 was not ready within 0.5 s \\(tcp:${port}\\); the command was not started`,
        'm',
      ),
    ],
  ],
];

for (const [title, mode, readyTimeout, status, messages] of notReadyCases) {
  cliTest(title, async (t) => {
    const tag = tagFor(t);
    const dir = scratch(t);
    const port = await freePort();
    const server = demoServer(mode === 'die' ? 'db' : 'slow', port, mode);
    const outcome = await corral(
      [
        'run',
        '--ready-timeout',
        readyTimeout,
        '--server',
        server,
        '--ready',
        `tcp:${port}`,
        '--',
        'touch',
        join(dir, 'ran'),
      ],
      tag,
    );
    t.is(outcome.status, status);
    for (const message of messages(port)) t.regex(outcome.stderr, message);
    t.false(existsSync(join(dir, 'ran')));
    assertNoSurvivors(t, tag);
  });
}

cliTest(
  'usage errors: unknown probe form, --server without --ready, --ready alone: exit 2, one line, nothing started',
  async (t) => {
    const tag = tagFor(t);
    const dir = scratch(t);
    const server = `touch ${quote(join(dir, 'server'))}; exec sleep 1000`;
    const cases: Array<[string[], RegExp]> = [
      [
        ['--server', server, '--ready', 'localhost:3000'],
        /^corral run: --ready: unknown ready probe "localhost:3000": use http:\/\/URL, https:\/\/URL, tcp:\[HOST:\]PORT or line:REGEX \(see corral run --help\)\n$/,
      ],
      [['--server', server], /^corral run: --server ".*" needs its own --ready PROBE/],
      [
        ['--server', server, '--server', server, '--ready', 'tcp:1'],
        /^corral run: --server ".*" needs its own --ready PROBE/,
      ],
      [['--ready', 'tcp:1'], /^corral run: --ready PROBE follows the --server it is for/],
      [
        ['--server', server, '--name', 'a', '--ready', 'tcp:1', '--server', server, '--name', 'a', '--ready', 'tcp:1'],
        /^corral run: --name: "a" must be a name of its own/,
      ],
      [
        ['--server', server, '--ready', 'tcp:1', '--ready-timeout', '5'],
        /^corral run: --ready-timeout: bad duration "5"/,
      ],
    ];
    for (const [flags, message] of cases) {
      const outcome = await corral(['run', ...flags, '--', 'touch', join(dir, 'ran')], tag);
      t.is(outcome.status, 2, flags.join(' '));
      t.regex(outcome.stderr, message);
    }
    t.false(existsSync(join(dir, 'server')), 'no server was started');
    t.false(existsSync(join(dir, 'ran')));
    assertNoSurvivors(t, tag);
  },
);

cliTest('corral SIGKILLed during the tests leaves nothing: servers, daemons and tests are all gone', async (t) => {
  const tag = tagFor(t);
  const dir = scratch(t);
  const port = await freePort();
  const running = startCorral(
    [
      'run',
      '--ready-timeout',
      `${patience(60_000)}ms`,
      '--server',
      demoServer('api', port),
      '--ready',
      `http://127.0.0.1:${port}/`,
      '--',
      'sh',
      '-c',
      `touch ${quote(join(dir, 'tests'))}; exec sleep 1000`,
    ],
    tag,
  );
  t.teardown(() => void running.child.kill('SIGKILL'));
  running.child.stdin!.end();
  const started = await lookUntil(() => existsSync(join(dir, 'tests')), Boolean, { ms: PATIENCE_MS });
  t.true(started.met, 'the tests started');
  running.child.kill('SIGKILL');
  await running.done;
  t.deepEqual(await waitUntilGone(tag.tag), [], 'the guard stopped everything');
  t.true(await portFreed(port));
});

cliTest('Ctrl+C while waiting for the servers: exit 130, the tests never started, nothing left', async (t) => {
  const tag = tagFor(t);
  const dir = scratch(t);
  const port = await freePort();
  const server = `touch ${quote(join(dir, 'server'))}; exec sleep 1000`;
  const running = startCorral(
    ['run', '--server', server, '--ready', `tcp:${port}`, '--', 'touch', join(dir, 'ran')],
    tag,
  );
  t.teardown(() => void running.child.kill('SIGKILL'));
  running.child.stdin!.end();
  t.true(
    (await lookUntil(() => existsSync(join(dir, 'server')), Boolean, { ms: PATIENCE_MS })).met,
    'the server started',
  );
  running.child.kill('SIGINT');
  const outcome = await running.done;
  t.is(outcome.status, 130);
  t.false(existsSync(join(dir, 'ran')));
  assertNoSurvivors(t, tag);
});

cliTest('a second Ctrl+C kills the servers at once too, not only the tests', async (t) => {
  const tag = tagFor(t);
  const dir = scratch(t);
  // The server ignores SIGTERM and the grace is an hour: only the second Ctrl+C can end it in time.
  const server = `trap '' TERM; echo up; touch ${quote(join(dir, 'server'))}; exec sleep 1000`;
  // The tests take their marker away on SIGTERM: the first Ctrl+C has been acted on.
  const tests = `touch ${quote(join(dir, 'tests'))}; trap 'rm -f ${quote(join(dir, 'tests'))}; exit 0' TERM; while :; do sleep 0.1; done`;
  const running = startCorral(
    ['run', '--grace', '1h', '--server', server, '--ready', 'line:^up$', '--', 'sh', '-c', tests],
    tag,
  );
  t.teardown(() => void running.child.kill('SIGKILL'));
  running.child.stdin!.end();
  t.true(
    (await lookUntil(() => existsSync(join(dir, 'tests')), Boolean, { ms: PATIENCE_MS })).met,
    'the tests started',
  );
  running.child.kill('SIGINT');
  // Two signals sent at once may reach corral as one.
  t.true(
    (
      await lookUntil(
        () => existsSync(join(dir, 'tests')),
        (exists) => !exists,
        { ms: PATIENCE_MS },
      )
    ).met,
    'the first Ctrl+C stopped the tests',
  );
  running.child.kill('SIGINT');
  const outcome = await running.done;
  t.is(outcome.status, 130);
  assertNoSurvivors(t, tag);
});
