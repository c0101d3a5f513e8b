/**
 * corral run as a test runner's leak detector, with the real runners from
 * npm: a suite whose test starts a server in a session of its own
 * (`detached: true`) and forgets it. The runner exits happily; the server is
 * a leftover that corral stops and names, and --fail-on-leftovers turns into
 * exit status 123. jest runs its two files in worker processes; mocha runs
 * in its own process. Under cgroup v2: a `detached: true` child leaves every
 * process group, so the process-group fallback cannot see it (that is what
 * the cgroup mechanism is for).
 *
 * Two runs in all: the suite also runs in the TCG guest, where every Node
 * start costs seconds.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corral, jsonReport } from '../cli/corral-cli.js';
import { REPO } from '../helpers/node-script.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';

// Plain CommonJS fixtures, never compiled: the same files in either form of the suite.
const FIXTURES = join(REPO, 'test/fixtures/runners');
const SERVER = join(FIXTURES, 'forgotten-server.cjs');
const leftBehindTheServer = new RegExp(
  `^corral: left behind (\\d+): \\S*node\\S* ${SERVER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
  'm',
);

interface Leftover {
  pid: number;
  command: string;
}

test.serial('jest: a forgotten detached server is stopped and named, and --fail-on-leftovers exits 123', async (t) => {
  const tag = tagFor(t);
  // jest keeps a haste-map cache; a private one, removed with the test.
  const cache = mkdtempSync(join(tmpdir(), 'corral-jest-'));
  t.teardown(() => rmSync(cache, { recursive: true, force: true }));
  const jest = [
    process.execPath,
    join(REPO, 'node_modules/jest/bin/jest.js'),
    '--ci',
    '--watchman=false',
    '--cacheDirectory',
    cache,
    '--rootDir',
    join(FIXTURES, 'jest'),
    '--testMatch',
    '**/*.test.cjs',
    '--transform',
    '{}',
    '--maxWorkers',
    '2',
    // jest's 5 s per test is real time; the server's Node start takes seconds in the guest.
    '--testTimeout',
    String(PATIENCE_MS),
  ];
  const outcome = await corral(['run', '--mechanism', 'cgroup', '--fail-on-leftovers', '--json', '--', ...jest], tag);
  t.is(outcome.status, 123, outcome.stderr);
  const report = jsonReport(outcome);
  t.is(report.exitCode, 0, 'jest itself passed');
  const servers = (report.leftoverProcesses as Leftover[]).filter((p) => p.command.endsWith(SERVER));
  t.is(servers.length, 1, 'the server is named in --json');
  t.is(Number(leftBehindTheServer.exec(outcome.stderr)?.[1]), servers[0]!.pid, 'and on stderr, without --verbose');
  t.true(report.report.membersBefore >= 1, 'it was stopped');
  assertNoSurvivors(t, tag);
});

test.serial("mocha: the forgotten server is stopped and named under --verbose; mocha's status stands", async (t) => {
  const tag = tagFor(t);
  const mocha = [
    process.execPath,
    join(REPO, 'node_modules/mocha/bin/mocha.js'),
    '--no-config',
    '--no-package',
    '--timeout',
    String(PATIENCE_MS),
    join(FIXTURES, 'mocha/forgets-a-server.spec.cjs'),
  ];
  const outcome = await corral(['run', '--mechanism', 'cgroup', '--verbose', '--', ...mocha], tag);
  t.is(outcome.status, 0, outcome.stderr);
  t.regex(outcome.stdout, /1 passing/);
  t.regex(outcome.stderr, /^corral: cgroup, stopped \d+ process(es)? \(leftovers\)/m);
  t.regex(outcome.stderr, leftBehindTheServer);
  assertNoSurvivors(t, tag);
});
