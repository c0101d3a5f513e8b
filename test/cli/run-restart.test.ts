/**
 * `corral run --restart` end to end, through a real corral process, on both
 * mechanisms: the run count and the exit status, no run beside an earlier
 * run's daemonized helper, no restart of a success, Ctrl+C ends supervision
 * with nothing left, bad input (of --restart and --watch) starts nothing.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { waitForSleeper } from '../run/daemon-leader.js';
import { daemonizeThenExit, readRecord, recordDir } from '../supervise/flapping-daemon.js';
import { corral, jsonReport, startCorral } from './corral-cli.js';

// Serial, as the other CLI tests: each starts a corral Node process.
const cliTest = test.serial;

for (const mechanism of ['cgroup', 'pgroup'] as const) {
  const m = ['--mechanism', mechanism];

  cliTest(
    `${mechanism}: --restart on-failure --max-restarts 3 over a daemonizing command that exits 5 runs 4 times, never beside an earlier helper, and exits 5`,
    async (t) => {
      const tag = tagFor(t);
      const dir = recordDir(t);
      const script = daemonizeThenExit(dir, 5, { setsid: mechanism === 'cgroup' });
      const outcome = await corral(
        [
          'run',
          ...m,
          '--restart',
          'on-failure',
          '--max-restarts',
          '3',
          '--restart-delay',
          '1ms',
          '--json',
          '--',
          'sh',
          '-c',
          script,
        ],
        tag,
      );
      t.is(outcome.status, 5, outcome.stderr);
      const report = jsonReport(outcome);
      t.is(report.runs, 4);
      t.is(report.supervisionEnded, 'max-restarts');
      t.is(report.mechanism, mechanism);
      const record = readRecord(dir);
      t.is(record.runs, 4);
      t.is(record.overlaps, '', "no run started while an earlier run's helper was alive");
      assertNoSurvivors(t, tag);
    },
  );

  cliTest(`${mechanism}: a command that succeeds under --restart on-failure is not restarted`, async (t) => {
    const tag = tagFor(t);
    const dir = recordDir(t);
    const outcome = await corral(
      ['run', ...m, '--restart', 'on-failure', '--json', '--', 'sh', '-c', daemonizeThenExit(dir, 0)],
      tag,
    );
    t.is(outcome.status, 0, outcome.stderr);
    t.is(jsonReport(outcome).runs, 1);
    t.is(readRecord(dir).runs, 1);
    assertNoSurvivors(t, tag);
  });

  cliTest(
    `${mechanism}: Ctrl+C stops the current tree and ends supervision (130, no restart, nothing left)`,
    async (t) => {
      const tag = tagFor(t);
      const dir = recordDir(t);
      const leader = `echo started >>'${dir}/starts'; (sleep 1000 &); exec sleep 1000`;
      const running = startCorral(
        ['run', ...m, '--restart', 'always', '--restart-delay', '1ms', '--json', '--', 'sh', '-c', leader],
        tag,
        { ownProcessGroup: true },
      );
      await waitForSleeper(tag.tag);
      process.kill(-running.child.pid!, 'SIGINT');
      const outcome = await running.done;
      t.is(outcome.status, 130, outcome.stderr);
      const report = jsonReport(outcome);
      t.is(report.supervisionEnded, 'cancelled');
      t.true(report.cancelled);
      t.is(readFileSync(join(dir, 'starts'), 'utf8'), 'started\n', 'no restart after the cancel');
      assertNoSurvivors(t, tag);
    },
  );
}

const badLines: Array<[string, string[]]> = [
  ['an unknown policy', ['--restart', 'sometimes']],
  ['a negative --max-restarts', ['--restart', 'on-failure', '--max-restarts', '-1']],
  ['--max-restarts without --restart', ['--max-restarts', '2']],
  ['a --restart-delay without a unit', ['--restart', 'always', '--restart-delay', '5']],
  ['--restart with --leftovers keep', ['--restart', 'always', '--leftovers', 'keep']],
  ['--watch on a missing path', ['--watch', '/nonexistent/corral-watch-path']],
  ['--watch with --restart', ['--watch', '.', '--restart', 'always']],
  ['--watch with --no-escalate', ['--watch', '.', '--no-escalate']],
  ['--server with --restart', ['--server', 'sleep 1000', '--ready', 'tcp:1', '--restart', 'always']],
  ['--idle-timeout with --watch', ['--idle-timeout', '1s', '--watch', '.']],
];
for (const [what, flags] of badLines) {
  cliTest(`bad supervision input exits 2 with one line and starts nothing: ${what}`, async (t) => {
    const tag = tagFor(t);
    const dir = recordDir(t);
    const outcome = await corral(['run', ...flags, '--', 'sh', '-c', `touch '${dir}/started'`], tag);
    t.is(outcome.status, 2);
    t.is(outcome.stderr.trim().split('\n').length, 1, outcome.stderr);
    t.regex(outcome.stderr, /^corral run: /);
    t.false(existsSync(join(dir, 'started')));
    assertNoSurvivors(t, tag);
  });
}
