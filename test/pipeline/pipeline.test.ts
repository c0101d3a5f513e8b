/**
 * pipeline() against real trees, both mechanisms: the output of a 3-stage
 * pipeline, pipefail blaming the failing stage rather than its SIGPIPE
 * victim, a timeout and a cancel that leave nothing of any stage, and a
 * daemonizing stage whose daemon (holding the pipe) is contained.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorralError } from '../../src/errors.js';
import { pipeline, pipelineOnClock } from '../../src/pipeline/pipeline.js';
import { gatedClock } from '../helpers/gated-clock.js';
import { assertNoSurvivors, findTagged, tagFor } from '../helpers/tagged-processes.js';
import { findSleepers } from '../run/daemon-leader.js';
import { lookUntil } from '../helpers/look-until.js';
import { PATIENCE_MS } from '../helpers/patience.js';

const MECHANISMS = ['cgroup', 'pgroup'] as const;

/** A stage that daemonizes a `sleep 1000` and then becomes one itself. */
const daemonThenSleep = ['sh', '-c', '(sleep 1000 &); exec sleep 1000'];

async function waitForSleepers(tag: string, count: number): Promise<void> {
  const { met, seen } = await lookUntil(
    () => findSleepers(tag),
    (found) => found.length >= count,
    { ms: PATIENCE_MS },
  );
  if (!met) throw new Error(`only ${seen.length} of ${count} sleepers came up`);
}

for (const mechanism of MECHANISMS) {
  const base = (env: NodeJS.ProcessEnv) => ({ env, mechanism, stdin: 'ignore' as const, stderr: 'ignore' as const });

  test(`${mechanism}: a 3-stage pipeline passes each stage's output to the next`, async (t) => {
    const tag = tagFor(t);
    const result = await pipeline([['printf', 'pear\\napple\\npear\\nfig\\n'], ['sort'], ['uniq', '-c']], {
      ...base(tag.env),
      capture: true,
    });
    t.is(result.stdout?.replace(/^ +/gm, ''), '1 apple\n1 fig\n2 pear\n');
    t.is(result.exitCode, 0);
    t.is(result.failedStage, undefined);
    t.deepEqual(
      result.stages.map((stage) => stage.exitCode),
      [0, 0, 0],
    );
    t.true(result.stages.every((stage) => stage.mechanism === mechanism && stage.pid > 0));
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a failing middle stage is blamed, not the writer it left to die of SIGPIPE`, async (t) => {
    const tag = tagFor(t);
    const result = await pipeline([['yes'], ['sh', '-c', 'head -n 1 >/dev/null; exit 3'], ['cat']], {
      ...base(tag.env),
      capture: true,
    });
    t.is(result.failedStage, 1);
    t.is(result.exitCode, 3);
    t.is(result.stages[1]!.exitCode, 3);
    t.not(result.stages[0]!.exitCode, 0, 'the writer did not end on its own');
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a failing first stage is blamed although the stages after it succeed`, async (t) => {
    const tag = tagFor(t);
    // A failure stops every stage: the first stage fails only once `cat` has
    // ended (it says so through a FIFO), so whether `cat` finished never
    // depends on which process the machine runs first.
    const dir = await mkdtemp(join(tmpdir(), 'corral-pipefail-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const done = join(dir, 'done');
    execFileSync('mkfifo', [done]);
    const result = await pipeline(
      [
        ['sh', '-c', 'echo partial; exec >&-; read _ < "$DONE"; exit 2'],
        ['sh', '-c', 'cat; echo > "$DONE"'],
      ],
      { ...base({ ...tag.env, DONE: done }), capture: true },
    );
    t.is(result.stdout, 'partial\n');
    t.is(result.failedStage, 0);
    t.is(result.exitCode, 2);
    t.is(result.stages[1]!.exitCode, 0);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a writer that dies of SIGPIPE after its reader succeeded is no failure`, async (t) => {
    const tag = tagFor(t);
    const result = await pipeline([['yes'], ['head', '-n', '2']], { ...base(tag.env), capture: true });
    t.is(result.stdout, 'y\ny\n');
    t.is(result.exitCode, 0);
    t.is(result.failedStage, undefined);
    t.is(result.stages[1]!.exitCode, 0);
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a timeout stops every stage's tree and leaves nothing`, async (t) => {
    const tag = tagFor(t);
    const gate = gatedClock();
    const running = pipelineOnClock(gate.clock, [daemonThenSleep, daemonThenSleep, daemonThenSleep], {
      ...base(tag.env),
      timeout: 60_000,
    });
    await gate.asked;
    await waitForSleepers(tag.tag, 6);
    gate.open();
    const result = await running;
    t.true(result.timedOut);
    t.is(result.exitCode, null);
    t.is(result.failedStage, undefined);
    t.true(result.stages.every((stage) => stage.stopped));
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a cancel stops every stage's tree`, async (t) => {
    const tag = tagFor(t);
    const controller = new AbortController();
    const running = pipeline([daemonThenSleep, daemonThenSleep], { ...base(tag.env), signal: controller.signal });
    await waitForSleepers(tag.tag, 4);
    controller.abort();
    const result = await running;
    t.true(result.cancelled);
    t.true(result.stages.every((stage) => stage.stopped));
    assertNoSurvivors(t, tag);
  });

  test(`${mechanism}: a stage that daemonizes is contained: its daemon, which holds the pipe, is stopped so the next stage sees the end`, async (t) => {
    const tag = tagFor(t);
    const result = await pipeline(
      [
        ['sh', '-c', '(sleep 1000 &); echo hello'],
        ['tr', 'a-z', 'A-Z'],
      ],
      { ...base(tag.env), capture: true },
    );
    t.is(result.stdout, 'HELLO\n');
    t.is(result.exitCode, 0);
    t.true(result.stages[0]!.leftovers.length >= 1, 'the daemon was left running, then stopped');
    assertNoSurvivors(t, tag);
  });
}

test('a stage may be an object with its own cwd and env; the options give the others theirs', async (t) => {
  const tag = tagFor(t);
  const result = await pipeline(
    [
      { command: 'sh', args: ['-c', 'echo "$WHERE $(pwd)"'], cwd: '/tmp', env: { ...tag.env, WHERE: 'stage' } },
      ['sh', '-c', 'cat; echo "$WHERE $(pwd)"'],
    ],
    { env: { ...tag.env, WHERE: 'default' }, cwd: '/', stdin: 'ignore', capture: true, maxBuffer: 1000 },
  );
  t.is(result.stdout, 'stage /tmp\ndefault /\n');
  assertNoSurvivors(t, tag);
});

test('with capture, maxBuffer bounds what is kept, and the rest is still read', async (t) => {
  const tag = tagFor(t);
  const result = await pipeline([['yes'], ['head', '-c', '100000']], {
    env: tag.env,
    stdin: 'ignore',
    capture: true,
    maxBuffer: 10,
  });
  t.is(result.stdout, 'y\ny\ny\ny\ny\n');
  t.is(result.exitCode, 0);
  assertNoSurvivors(t, tag);
});

test('a stage that cannot start rejects, and the stages already started are stopped', async (t) => {
  const tag = tagFor(t);
  const running = pipeline([daemonThenSleep, ['/nonexistent/corral-test-command']], {
    env: tag.env,
    stdin: 'ignore',
    stderr: 'ignore',
  });
  await t.throwsAsync(running, { code: 'ENOENT' });
  t.deepEqual(findTagged(tag.tag), []);
  assertNoSurvivors(t, tag);
});

const bad: Array<[string, unknown, unknown, RegExp]> = [
  ['no stages', [], {}, /non-empty array/],
  ['an empty stage', [[]], {}, /stage 0 must be a non-empty array/],
  ['a stage with no command', [{ args: [] }], {}, /stage 0 needs a command/],
  ['an unknown option', [['true']], { pipefail: true }, /unknown option "pipefail"/],
  ['a negative timeout', [['true']], { timeout: -1 }, /timeout/],
  ['a bad stdin', [['true']], { stdin: 'pipe' }, /stdin must be/],
  ['maxBuffer without capture', [['true']], { maxBuffer: 10 }, /only with capture/],
  ['a fractional maxBuffer', [['true']], { capture: true, maxBuffer: 1.5 }, /maxBuffer must be/],
  ['a signal that is no AbortSignal', [['true']], { signal: 'stop' }, /signal must be an AbortSignal/],
  ['a stage that is neither array nor object', ['true'], {}, /stage 0 must be \[command/],
  ['a stage whose args are not strings', [{ command: 'echo', args: [1] }], {}, /args must be an array of strings/],
  ['a stage whose cwd is no string', [{ command: 'pwd', cwd: 1 }], {}, /cwd must be a string/],
  ['stages that are no array', 'true', {}, /non-empty array/],
];
for (const [what, stages, options, message] of bad) {
  test(`bad input is refused before anything starts: ${what}`, async (t) => {
    const tag = tagFor(t);
    const error = await t.throwsAsync(pipeline(stages as never, { ...(options as object), env: tag.env } as never), {
      instanceOf: CorralError,
      message,
    });
    t.is(error?.code, 'EINVALID_OPTION');
    assertNoSurvivors(t, tag);
  });
}
