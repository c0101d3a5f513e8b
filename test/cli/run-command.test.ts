/**
 * `corral run` end to end, through a real corral process, against both
 * mechanisms: exit statuses, Ctrl+C handling, leftovers, --json, --verbose.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { escapees, zooScript, zooSize } from '../helpers/escape-zoo.js';
import { eventually, isSettled } from '../helpers/settle.js';
import { assertNoSurvivors, findTagged, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { daemonThenExit, findSleepers, waitForSleeper } from '../run/daemon-leader.js';
import { cleanUpKept, groupDirsOf } from '../run/group-dirs.js';
import { corral, jsonReport, startCorral } from './corral-cli.js';
import { nodeArgs } from '../helpers/node-script.js';
import { PATIENCE_MS, slack } from '../helpers/patience.js';
import { lookUntil } from '../helpers/look-until.js';
import { withGrowingDeadline } from '../helpers/growing-deadline.js';

// Serial: each test starts a corral Node process, and a dozen of those
// starting at once on a 2-core machine shared with other test runs take
// longer than any reasonable wait.
const cliTest = test.serial;

type Mechanism = 'cgroup' | 'pgroup';
const MECHANISMS: Mechanism[] = ['cgroup', 'pgroup'];

/** What each mechanism must catch: process groups cannot follow setsid() or setpgid(). */
const ZOO: Record<Mechanism, Array<keyof typeof escapees>> = {
  cgroup: ['setsid', 'doubleFork', 'newProcessGroup', 'stopped'],
  pgroup: ['doubleFork', 'stopped'],
};

for (const mechanism of MECHANISMS) {
  const m = ['--mechanism', mechanism];

  cliTest(`${mechanism}: exits with the command's exit code`, async (t) => {
    const tag = tagFor(t);
    t.is((await corral(['run', ...m, '--', 'true'], tag)).status, 0);
    const three = await corral(['run', ...m, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], tag);
    t.is(three.status, 3);
    t.is(three.stdout, 'out\n', "the command's stdout is corral's");
    t.is(three.stderr, 'err\n', "and so is its stderr, with nothing of corral's added");
    assertNoSurvivors(t, tag);
  });

  cliTest(`${mechanism}: a command killed by signal n gives 128+n`, async (t) => {
    const tag = tagFor(t);
    const outcome = await corral(['run', ...m, '--', 'sh', '-c', 'kill -USR1 $$'], tag);
    t.is(outcome.status, 128 + 10);
    assertNoSurvivors(t, tag);
  });

  cliTest(`${mechanism}: a timeout gives 124 and stops the whole tree`, async (t) => {
    const tag = tagFor(t);
    // The grace ends at the drain, so a long one costs nothing.
    const grace = `${await slack(5000)}ms`;
    const zoo = zooSize(ZOO[mechanism]);
    // The whole zoo must be up when the timeout strikes: the test must have seen every member settled at once
    // less than the timeout after it started corral (whose clock starts later still). If not, it is tried again, longer.
    await withGrowingDeadline(t, 1000, async (timeoutMs) => {
      const started = performance.now();
      const running = startCorral(
        [
          'run',
          ...m,
          '--timeout',
          `${timeoutMs}ms`,
          '--grace',
          grace,
          '--json',
          '--',
          'sh',
          '-c',
          zooScript(ZOO[mechanism]),
        ],
        tag,
      );
      running.child.stdin!.end();
      let ended = false;
      const done = running.done.finally(() => (ended = true));
      const { seen } = await lookUntil(
        () => findTagged(tag.tag).filter(isSettled).length,
        (settled) => settled >= zoo || ended,
        { ms: PATIENCE_MS },
      );
      const upInTime = seen >= zoo && performance.now() - started < timeoutMs;
      const outcome = await done;
      t.is(outcome.status, 124);
      const report = jsonReport(outcome);
      t.true(report.timedOut);
      t.is(report.mechanism, mechanism);
      assertNoSurvivors(t, tag);
      // A timeout that struck while the zoo was still forking may rightly need SIGKILL for a late fork: judged only when it was up.
      if (!upInTime) return 'too early';
      t.true(report.stopped >= zoo);
      t.true(report.report.drainedWithinGrace, 'SIGTERM (with SIGCONT for the stopped one) was enough');
      return 'in time';
    });
  });

  cliTest(
    `${mechanism}: Ctrl+C reaches corral alone, which shuts the tree down gracefully and exits 130`,
    async (t) => {
      const tag = tagFor(t);
      // The leader tells by its exit code which signal it got first: 42 for a
      // copy of the terminal's SIGINT, 0 for corral's graceful SIGTERM.
      const leader = `${ZOO[mechanism].map((name) => escapees[name]).join('\n')}\ntrap 'exit 42' INT\ntrap 'exit 0' TERM\nsleep 1000 &\nwait`;
      const running = startCorral(['run', ...m, '--json', '--', 'sh', '-c', leader], tag, { ownProcessGroup: true });
      // The escapees, the leader, its sleep, and corral itself.
      await waitForTagged(tag.tag, ZOO[mechanism].length + 3);
      // Settled: each escapee and the leader's sleep is a sleep (or stopped), so the leader's traps are set.
      await eventually(
        () => findTagged(tag.tag).filter(isSettled).length === ZOO[mechanism].length + 1,
        'the tree settled',
        PATIENCE_MS,
        tag,
      );
      // A terminal's Ctrl+C: SIGINT to the whole foreground process group.
      process.kill(-running.child.pid!, 'SIGINT');
      const outcome = await running.done;
      t.is(outcome.status, 130);
      const report = jsonReport(outcome);
      t.is(report.interruptedBy, 'SIGINT');
      t.true(report.cancelled);
      t.false(report.forced);
      t.is(report.exitCode, 0, 'the leader got the graceful SIGTERM, never a copy of SIGINT');
      t.is(report.report.signal, 'SIGTERM');
      t.false(report.report.escalated);
      assertNoSurvivors(t, tag);
    },
  );

  cliTest(`${mechanism}: a second SIGINT kills the tree at once`, async (t) => {
    const tag = tagFor(t);
    // The leader and one member that ignores SIGTERM, with a grace far longer than the test may take.
    const running = startCorral(
      ['run', ...m, '--grace', '10m', '--json', '--', 'sh', '-c', zooScript(['ignoresTerm'])],
      tag,
    );
    const ignorer = await waitForSleeper(tag.tag);
    await waitUntilSleepers(tag.tag, 2);
    running.child.kill('SIGINT');
    // The leader dies of the graceful SIGTERM; the ignorer stays: now corral is in its grace.
    await waitUntilSleepers(tag.tag, 1);
    t.true(ignorer.length >= 1);
    running.child.kill('SIGINT');
    const outcome = await running.done;
    t.is(outcome.status, 130);
    const report = jsonReport(outcome);
    t.true(report.forced);
    t.is(report.interruptedBy, 'SIGINT');
    assertNoSurvivors(t, tag);
  });

  cliTest(`${mechanism}: SIGTERM and SIGHUP to corral give 143 and 129`, async (t) => {
    const tag = tagFor(t);
    for (const [signal, status] of [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
    ] as const) {
      const running = startCorral(['run', ...m, '--', 'sleep', '1000'], tag);
      await waitForSleeper(tag.tag);
      running.child.kill(signal);
      t.is((await running.done).status, status, signal);
    }
    assertNoSurvivors(t, tag);
  });

  cliTest(`${mechanism}: leftovers are stopped after the leader exits, a double-forked daemon included`, async (t) => {
    const tag = tagFor(t);
    const script = mechanism === 'cgroup' ? `${escapees.setsid}\n${daemonThenExit(4)}` : daemonThenExit(4);
    const running = startCorral(['run', ...m, '--json', '--verbose', '--', 'sh', '-c', script], tag);
    await waitUntilSleepers(tag.tag, mechanism === 'cgroup' ? 2 : 1);
    running.child.stdin!.end();
    const outcome = await running.done;
    t.is(outcome.status, 4);
    const report = jsonReport(outcome);
    t.true(report.leftovers.length >= (mechanism === 'cgroup' ? 2 : 1));
    t.true(report.report.membersBefore >= 1);
    t.regex(
      outcome.stderr.split('\n')[0]!,
      new RegExp(`^corral: ${mechanism}, stopped \\d+ process(es)? \\(leftovers\\), .* s, exit 4$`),
    );
    // Each leftover is named, by pid and command line, in --json and under --verbose.
    const sleepers = (report.leftoverProcesses as { pid: number; command: string }[]).filter(
      (p) => p.command === 'sleep 1000',
    );
    t.is(sleepers.length, mechanism === 'cgroup' ? 2 : 1);
    for (const { pid } of sleepers)
      t.true(outcome.stderr.includes(`corral: left behind ${pid}: sleep 1000\n`), String(pid));
    assertNoSurvivors(t, tag);
  });

  cliTest(`${mechanism}: --leftovers keep leaves them running`, async (t) => {
    const tag = tagFor(t);
    t.teardown(() => cleanUpKept(tag.tag));
    // The daemon must not hold corral's stdout open, or the test would wait for it.
    const running = startCorral(
      ['run', ...m, '--leftovers', 'keep', '--json', '--', 'sh', '-c', `exec >/dev/null 2>&1\n${daemonThenExit(0)}`],
      tag,
    );
    await waitForSleeper(tag.tag);
    running.child.stdin!.end();
    const outcome = await running.done;
    t.is(outcome.status, 0);
    const report = jsonReport(outcome);
    const kept = findSleepers(tag.tag);
    t.is(kept.length, 1, 'the daemon outlived corral');
    t.true(report.leftovers.includes(kept[0]));
    t.is(report.report, null);
    await cleanUpKept(tag.tag);
    assertNoSurvivors(t, tag);
  });

  cliTest(`${mechanism}: --no-escalate leaves what survives the grace running`, async (t) => {
    const tag = tagFor(t);
    t.teardown(() => cleanUpKept(tag.tag));
    const script = `exec >/dev/null 2>&1\n${zooScript(['ignoresTerm'])}`;
    // The grace must outlast the leader's death by SIGTERM, at this machine's pace.
    const running = startCorral(
      ['run', ...m, '--grace', `${await slack(100)}ms`, '--no-escalate', '--json', '--', 'sh', '-c', script],
      tag,
    );
    running.child.stdin!.end();
    // The leader and the SIGTERM-ignorer both run `sleep 1000`.
    await waitUntilSleepers(tag.tag, 2);
    running.child.kill('SIGTERM');
    const outcome = await running.done;
    t.is(outcome.status, 143);
    const report = jsonReport(outcome);
    t.true(report.report.stoodDown);
    t.false(report.report.escalated);
    t.is(findSleepers(tag.tag).length, 1, 'the SIGTERM-ignorer was left running');
    await cleanUpKept(tag.tag);
    assertNoSurvivors(t, tag);
  });
}

cliTest(
  'cgroup: a timeout over a Node program that makes its own corral group and ignores SIGTERM gives 124, and nothing is left',
  async (t) => {
    const tag = tagFor(t);
    const fixture = new URL('../fixtures/nested-corral.ts', import.meta.url);
    // The program must have started and made its group when the timeout strikes: if it had not, it is tried again, longer.
    await withGrowingDeadline(t, 1000, async (timeoutMs) => {
      const args = [
        'run',
        '--mechanism',
        'cgroup',
        '--timeout',
        `${timeoutMs}ms`,
        '--grace',
        '200ms',
        '--',
        process.execPath,
        ...nodeArgs(fixture),
      ];
      const running = startCorral(args, tag);
      running.child.stdin!.end();
      const outcome = await running.done;
      t.is(outcome.status, 124, outcome.stderr);
      t.deepEqual(groupDirsOf(running.child.pid!), [], 'no group directory of corral is left');
      assertNoSurvivors(t, tag);
      const nested = /^nested ready (.+)$/m.exec(outcome.stdout)?.[1];
      if (nested === undefined) {
        t.log(
          `the program had not made its group when the timeout struck; its output: ${JSON.stringify(outcome.stdout + outcome.stderr)}`,
        );
        return 'too early';
      }
      t.false(existsSync(nested), 'the nested group went with the outer one');
      return 'in time';
    });
  },
);

cliTest('--signal picks the graceful signal', async (t) => {
  const tag = tagFor(t);
  const outcome = await corral(
    ['run', '--mechanism', 'pgroup', '--timeout', '200ms', '--signal', 'INT', '--json', '--', 'sleep', '1000'],
    tag,
  );
  t.is(outcome.status, 124);
  const report = jsonReport(outcome);
  t.is(report.report.signal, 'SIGINT');
  t.is(report.signal, 'SIGINT', 'the leader died of it');
  assertNoSurvivors(t, tag);
});

cliTest('a command that is not found exits 127 with one line, and leaves nothing', async (t) => {
  const tag = tagFor(t);
  const running = startCorral(['run', '--', '/nonexistent/corral-test-command'], tag);
  running.child.stdin!.end();
  const corralPid = running.child.pid!;
  const outcome = await running.done;
  t.is(outcome.status, 127);
  t.is(outcome.stderr, 'corral: /nonexistent/corral-test-command: command not found\n');
  t.deepEqual(groupDirsOf(corralPid), []);
  assertNoSurvivors(t, tag);
});

/** Waits until exactly `count` tagged `sleep 1000` run (the tree changed as expected). */
async function waitUntilSleepers(tag: string, count: number): Promise<void> {
  const { seen, met } = await lookUntil(
    () => findSleepers(tag),
    (found) => found.length === count,
    { ms: PATIENCE_MS },
  );
  if (!met) throw new Error(`expected ${count} sleepers, found ${seen.length}`);
}
