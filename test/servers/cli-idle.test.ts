/**
 * `corral run --idle-timeout D`: a tree that goes silent is stopped, daemon
 * and all, with exit 120 and a line saying how long it was silent; a command
 * that keeps printing is not stopped, and its output still reaches corral's
 * stdout.
 */
import test from 'ava';
import { patience } from '../helpers/patience.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { corral, jsonReport } from '../cli/corral-cli.js';

const cliTest = test.serial;

for (const mechanism of ['cgroup', 'pgroup'] as const) {
  cliTest(
    `${mechanism}: --idle-timeout 1s stops a silent command and its daemon: exit 120, the report says idle and for how long`,
    async (t) => {
      const tag = tagFor(t);
      const outcome = await corral(
        [
          'run',
          '--json',
          '--mechanism',
          mechanism,
          '--idle-timeout',
          '1s',
          '--',
          'sh',
          '-c',
          '(setsid sleep 1000 &); echo started; exec sleep 1000',
        ],
        tag,
      );
      t.is(outcome.status, 120);
      t.regex(outcome.stdout, /^started$/m, "output before the silence reached corral's stdout");
      t.regex(
        outcome.stderr,
        /^corral: the command's tree wrote nothing for \d+\.\d s \(--idle-timeout\); it was stopped$/m,
      );
      const report = jsonReport(outcome);
      t.true(report.idleTimedOut);
      t.true(report.idleMs >= 1000);
      t.true(report.stopped >= 2, 'the command and its daemon');
      t.is(report.mechanism, mechanism);
      assertNoSurvivors(t, tag);
    },
  );
}

cliTest('a command printing every 0.25 s is not stopped by --idle-timeout; its status stands', async (t) => {
  const tag = tagFor(t);
  // Twelve prints, then it exits 5. The timeout is a second scaled to the
  // machine, so a slow machine's longer gaps between prints still fit it.
  const idle = `${patience(1000)}ms`;
  const outcome = await corral(
    [
      'run',
      '--idle-timeout',
      idle,
      '--',
      'sh',
      '-c',
      'i=0; while [ $i -lt 12 ]; do echo "tick $i"; sleep 0.25; i=$((i+1)); done; exit 5',
    ],
    tag,
  );
  t.is(outcome.status, 5);
  t.is(outcome.stdout.split('\n').filter((line) => line.startsWith('tick ')).length, 12);
  t.notRegex(outcome.stderr, /idle-timeout/);
  assertNoSurvivors(t, tag);
});
