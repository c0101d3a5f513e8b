/**
 * The pieces of `corral run`'s servers and idle timeout, on plain values:
 * the flags taken out of the command line, the statuses and their order,
 * the failure and --verbose lines, the --json part.
 */
import test from 'ava';
import { exitStatusOf } from '../../src/cli/run/exit-status.js';
import { parseFlags } from '../../src/cli/parse-flags.js';
import { parseRunCommandLine, RUN_FLAGS } from '../../src/cli/run/run-flags.js';
import { parseServerFlags } from '../../src/cli/run/server-flags.js';
import { idleLines, serverFailureLines, serversJson, serverStoppedLines } from '../../src/cli/run/server-summary.js';
import { UsageError } from '../../src/cli/usage-error.js';
import type { ShutdownReport } from '../../src/driver/graceful.js';
import type { ServerFailure, ServerReport } from '../../src/run/run.js';
import { hermetic } from '../helpers/hermetic.js';
import { fakeRunResult } from '../helpers/fake-run-result.js';

hermetic();

const result = fakeRunResult;

function server(overrides: Partial<ServerReport> = {}): ServerReport {
  return {
    name: 'api',
    command: 'npm run dev',
    ready: 'tcp:3000',
    readyTimeoutMs: 60_000,
    pid: 10,
    readyMs: 120,
    exit: undefined,
    stopped: [
      { pid: 10, command: 'npm run dev' },
      { pid: 11, command: '' },
    ],
    report: { escalated: true } as ShutdownReport,
    lastLines: [],
    ...overrides,
  };
}

const failure = (overrides: Partial<ServerFailure>): ServerFailure => ({
  server: 'api',
  reason: 'exited',
  during: 'start',
  exit: { code: 3, signal: null },
  lastLines: ['boom'],
  ...overrides,
});

test('server flags: pairs in order, names, per-server and default ready timeouts, idle timeout; the rest left to the other options', (t) => {
  const parsed = parseFlags(
    [
      '--timeout',
      '--server',
      '--ready-timeout=2s',
      '--server',
      'npm run dev',
      '--name',
      'dev',
      '--ready',
      'tcp:3000',
      '--ready-timeout',
      '5s',
      '--server=./api',
      '--ready=line:up',
      '--idle-timeout',
      '1m',
      '--verbose',
      '--',
      'npm',
      '--server',
      'x',
    ],
    RUN_FLAGS,
    'run',
  );
  const taken = parseServerFlags(parsed.entries);
  t.deepEqual(taken.servers, [
    { command: 'npm run dev', name: 'dev', ready: 'tcp:3000', readyTimeout: 5000 },
    { command: './api', name: 'server2', ready: 'line:up' },
  ]);
  t.is(taken.readyTimeout, 2000, "before any --server: every server's");
  t.is(taken.idleTimeout, 60_000);
  t.is(parsed.values.get('timeout'), '--server', "--timeout's value stays --timeout's");
  t.true(parsed.switches.has('verbose'));
  t.deepEqual(parsed.operands, ['npm', '--server', 'x'], "the command's own flags stay");
  t.is(parseRunCommandLine(['--idle-timeout', '0', 'true']).idleTimeout, undefined, '0 means none');
  const line = parseRunCommandLine(['ls', '--server', 'x']);
  t.deepEqual([line.servers, line.command, line.args], [[], 'ls', ['--server', 'x']], 'options end at the command');
  for (const argv of [
    ['--server'],
    ['--name', 'x'],
    ['--server', 'a', '--name', '', '--ready', 'tcp:1'],
    ['--server', 'a', '--ready', 'tcp:1', '--ready', 'tcp:2'],
    ['--idle-timeout', 'soon'],
  ]) {
    const error = t.throws(() => parseRunCommandLine(argv), { instanceOf: UsageError }, argv.join(' '));
    t.is((error as UsageError).command, 'run');
  }
});

test("statuses: a signal to corral, then 124, then idle 120, then the servers 121/122, then leftovers 123, then the command's", (t) => {
  t.is(exitStatusOf(result({ idleTimedOut: true, exitCode: null, signal: 'SIGTERM' }), undefined), 120);
  t.is(exitStatusOf(result({ idleTimedOut: true, timedOut: true }), undefined), 124);
  t.is(
    exitStatusOf(
      result({ serverFailure: failure({ reason: 'ready-timeout', exit: undefined }), exitCode: null }),
      undefined,
    ),
    121,
  );
  t.is(exitStatusOf(result({ serverFailure: failure({}), exitCode: null }), undefined), 122);
  t.is(
    exitStatusOf(result({ serverFailure: failure({ during: 'run' }), leftovers: [5] }), undefined, {
      failOnLeftovers: true,
    }),
    122,
  );
  t.is(exitStatusOf(result({ serverFailure: failure({}) }), 130), 130);
  t.is(
    exitStatusOf(result({ exitCode: 7, servers: [server()] }), undefined),
    7,
    "servers that were fine leave the command's status",
  );
});

test('failure lines name the server, why, and its last lines', (t) => {
  t.deepEqual(serverFailureLines(result({})), []);
  t.deepEqual(serverFailureLines(result({ serverFailure: failure({}) })), [
    'corral: server api exited before it was ready (exit code 3); the command was not started; its last lines:',
    'corral:   [api] boom',
  ]);
  t.deepEqual(
    serverFailureLines(
      result({ serverFailure: failure({ during: 'run', exit: { code: null, signal: 'SIGKILL' }, lastLines: [] }) }),
    ),
    ['corral: server api exited while the command ran (killed by SIGKILL); the command was stopped (it wrote nothing)'],
  );
  t.regex(
    serverFailureLines(
      result({
        serverFailure: failure({ reason: 'ready-timeout', exit: undefined }),
        servers: [server({ readyTimeoutMs: 1500 })],
      }),
    )[0]!,
    /^corral: server api was not ready within 1.5 s \(tcp:3000\); the command was not started/,
  );
  t.regex(
    serverFailureLines(result({ serverFailure: failure({ reason: 'ready-timeout', exit: undefined }) }))[0]!,
    /^corral: server api was not ready in time;/,
  );
});

test('--verbose names what was stopped of each server; --json carries servers, serverFailure and idle', (t) => {
  t.deepEqual(
    serverStoppedLines(
      result({
        servers: [server(), server({ name: 'web', stopped: [{ pid: 20, command: 'node web.js' }], report: undefined })],
      }),
    ),
    [
      'corral: server api: stopped 2 processes (escalated to SIGKILL)',
      "corral: stopped server api's 10: npm run dev",
      "corral: stopped server api's 11: (gone before it could be read)",
      'corral: server web: stopped 1 process',
      "corral: stopped server web's 20: node web.js",
    ],
  );
  const json = serversJson(result({ servers: [server()], idleTimedOut: true, idleMs: 1000 }));
  t.like(json, { idleTimedOut: true, idleMs: 1000, serverFailure: null });
  t.like((json.servers as unknown[])[0], { name: 'api', escalated: true });
  t.false('report' in ((json.servers as object[])[0] as object));
  t.like(serversJson(result({})), { idleTimedOut: false, idleMs: null, servers: [] });
  t.deepEqual(idleLines(result({ idleTimedOut: true, idleMs: 1234 })), [
    "corral: the command's tree wrote nothing for 1.2 s (--idle-timeout); it was stopped",
  ]);
  t.deepEqual(idleLines(result({})), []);
});
