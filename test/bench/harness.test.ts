/**
 * The benchmark harness's pure logic, hermetically: statistics, pairing,
 * ordering, tables, the chart and the targets. No timing is asserted
 * anywhere; the last tests run one real tree through the harness's own
 * teardown check to prove it tells a dead tree from a live one.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { kernelKillpg } from '../../bench/contenders/kernel-killpg.js';
import { cgroup2MountFrom, hasCgroupV1, ownCgroupFrom } from '../../bench/lib/cgroup-root.js';
import { timeTeardown } from '../../bench/lib/measure.js';
import { alternatingOrder, pairedRatios, quantile, summarize } from '../../bench/lib/stats.js';
import { allGone, waitForTree } from '../../bench/lib/tree-identity.js';
import { flatTreeScript } from '../../bench/lib/tree-script.js';
import { chartSeries } from '../../bench/report/chart-series.js';
import { resultsMarkdown } from '../../bench/report/markdown.js';
import type { Cell, Ratio, Results } from '../../bench/report/results.js';
import { decades, teardownSvg } from '../../bench/report/svg.js';
import { formatMs, formatRatio, formatSummary, markdownTable } from '../../bench/report/table.js';
import { judgeTargets } from '../../bench/report/targets.js';
import { ratiosAgainst, roundOrder } from '../../bench/suites/sized-suite.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';

function cell(contender: string, size: number, samples: number[], capped = false): Cell {
  return { contender, label: contender, size, samples, summary: summarize(samples), capped, leftover: 0, errors: [] };
}

test('summarize gives the median and quartiles, ignoring failed (NaN) samples', (t) => {
  const s = summarize([5, 1, Number.NaN, 3, 2, 4]);
  t.is(s.n, 5);
  t.is(s.median, 3);
  t.is(s.p25, 2);
  t.is(s.p75, 4);
  t.is(s.min, 1);
  t.is(s.max, 5);
  t.is(summarize([1, 2, 3, 4]).median, 2.5);
  t.true(Number.isNaN(summarize([]).median));
  t.is(quantile([10, 20], 0.25), 12.5);
});

test('pairedRatios divides pair by pair and drops pairs with a missing or failed side', (t) => {
  t.deepEqual(pairedRatios([2, 9, Number.NaN, 4], [1, 3, 5, 0]), [2, 3]);
  t.deepEqual(pairedRatios([6, 8, 10], [3]), [2]);
});

test('alternatingOrder and roundOrder give every contender every position over the rounds', (t) => {
  t.deepEqual(alternatingOrder(0, 'a', 'b'), ['a', 'b']);
  t.deepEqual(alternatingOrder(1, 'a', 'b'), ['b', 'a']);
  const items = ['a', 'b', 'c'];
  const rounds = [0, 1, 2, 3, 4, 5].map((r) => roundOrder(items, r));
  for (const order of rounds) t.deepEqual([...order].sort(), items);
  for (const item of items) {
    t.deepEqual(
      [...new Set(rounds.map((order) => order.indexOf(item)))].sort(),
      [0, 1, 2],
      `${item} takes every position`,
    );
  }
});

test('ratiosAgainst pairs samples of the same round and marks a capped contender as "at least"', (t) => {
  const cells = [
    cell('kernel', 100, [10, 20, 40]),
    cell('corral', 100, [11, 22, 44]),
    cell('slow', 100, [10_000], true),
    cell('corral', 1000, [5]),
  ];
  const ratios = ratiosAgainst(cells, 'kernel');
  const corral = ratios.find((r) => r.contender === 'corral' && r.size === 100);
  t.is(corral?.summary.median.toFixed(6), (1.1).toFixed(6));
  t.false(corral?.atLeast);
  const slow = ratios.find((r) => r.contender === 'slow');
  t.true(slow?.atLeast);
  t.is(slow?.summary.median, 500);
  t.falsy(
    ratios.find((r) => r.size === 1000),
    'no ratio without a baseline at that size',
  );
});

test('number formats suit their magnitude and say when a figure is capped', (t) => {
  t.is(formatMs(0.4236), '0.42');
  t.is(formatMs(15.24), '15.2');
  t.is(formatMs(1530.4), '1530');
  t.is(formatMs(Number.NaN), 'n/a');
  t.is(formatRatio(1.234), '1.23x');
  t.is(formatRatio(140.2, true), '≥ 140x');
  t.is(formatSummary(summarize([1, 2, 3, 4, 5])), '3.00 ms (2.00–4.00)');
  t.is(formatSummary(summarize([10_000]), { capped: true }), '≥ 10000 ms (capped)');
  t.is(formatSummary(summarize([])), 'n/a');
});

test('markdownTable aligns columns, right-aligns numbers and escapes pipes', (t) => {
  const table = markdownTable(
    ['name', 'ms'],
    [
      ['a|b', '1.5'],
      ['long name', '12'],
    ],
  );
  const lines = table.split('\n');
  t.is(lines.length, 4);
  t.is(lines[1], '| :-------- | --: |');
  t.is(lines[2], '| a\\|b      | 1.5 |');
  t.is(lines[3], '| long name |  12 |');
  t.true(lines.every((line) => line.length === lines[0]?.length));
});

test('the chart has one line per contender on log axes, and marks capped points', (t) => {
  const cells = [
    cell('kernel', 10, [4]),
    cell('kernel', 100, [15]),
    cell('kernel', 1000, [100]),
    cell('tree-kill', 10, [150]),
    cell('tree-kill', 100, [1500]),
    cell('tree-kill', 1000, [10_000], true),
  ];
  const svg = teardownSvg(chartSeries(cells), 'Hard-kill <teardown>');
  t.true(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  t.true(svg.trimEnd().endsWith('</svg>'));
  t.is(svg.match(/<polyline /g)?.length, 2);
  t.true(svg.includes('Hard-kill &lt;teardown&gt;'));
  t.true(svg.includes('tree-kill: stopped at the cap'));
  for (const tick of ['1 ms', '10 ms', '100 ms', '1 s', '10 s']) t.true(svg.includes(`>${tick}<`), tick);
  t.deepEqual(decades(4, 10_000), [1, 10, 100, 1000, 10_000]);
  // The same input gives the same bytes: the chart can be committed and diffed.
  t.is(teardownSvg(chartSeries(cells), 'Hard-kill <teardown>'), svg);
  // Equal steps in log(size) are equal steps in x.
  const xs = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">(10|100|1000)</g)].map((m) =>
    Number(m[1]),
  );
  t.is(xs.length, 3);
  t.true(Math.abs(xs[1]! - xs[0]! - (xs[2]! - xs[1]!)) < 0.2);
});

function ratio(contender: string, baseline: string, size: number, median: number): Ratio {
  return { contender, baseline, size, summary: summarize([median]), atLeast: false };
}

test('targets are met, missed or "not measured", each with the figure behind it', (t) => {
  const targets = judgeTargets({
    teardownRatios: [
      ratio('corral-cgroup', 'kernel-cgroup', 100, 1.05),
      ratio('corral-cgroup', 'kernel-cgroup', 1000, 1.4),
    ],
    treeKillRatios: [ratio('tree-kill', 'corral-cgroup', 100, 140)],
    drainLatency: [cell('corral-cgroup', 10, [0.5, 0.7, 0.6]), cell('poll-20ms', 10, [9, 11, 10])],
    spawnRatios: [ratio('corral-cgroup', 'child_process.spawn', 1, 1.3)],
    cliStartupRatios: [ratio('corral run -- true', 'node -e 0', 1, 1.6)],
    fallbackRatios: [
      ratio('corral-pgroup', 'kernel-killpg', 10, 1.4),
      ratio('corral-pgroup', 'kernel-killpg', 100, 1.6),
      ratio('corral-pgroup', 'kernel-killpg', 1000, 1.5),
      { ...ratio('corral-pgroup', 'kernel-killpg', 10, 1.2), graceful: true },
    ],
    containment: [{ contender: 'corral-cgroup', label: 'corral', survivors: 0, survivorCommands: [], treeSize: 6 }],
  });
  const byName = (part: string) => targets.find((x) => x.name.includes(part));
  t.true(byName('N = 100')?.met);
  t.false(byName('N = 1000')?.met);
  t.regex(byName('N = 1000')?.detail ?? '', /1\.40x/);
  t.true(byName('tree-kill')?.met);
  t.true(byName('drain')?.met);
  t.regex(byName('drain')?.detail ?? '', /20 ms poll: 10\.0 ms/);
  t.true(byName('corral (cgroup) at most 1.5x')?.met);
  t.is(byName('corral (pgroup) at most 1.5x')?.met, undefined);
  t.true(byName('zero survivors')?.met);
  const floor = (what: string, size: number) =>
    targets.find(
      (x) => x.name === `corral (pgroup) ${what} within 1.5x of the killpg + /proc scan floor at N = ${size}`,
    );
  t.true(floor('hard kill', 10)?.met);
  t.false(floor('hard kill', 100)?.met);
  t.regex(floor('hard kill', 100)?.detail ?? '', /1\.60x/);
  t.true(floor('hard kill', 1000)?.met, 'exactly 1.5x is within');
  t.true(floor('graceful shutdown', 10)?.met);
  t.is(floor('graceful shutdown', 100)?.met, undefined, 'not measured');
  t.is(floor('graceful shutdown', 1000)?.met, undefined, 'not measured');
  t.false(byName('node -e 0')?.met);
  t.regex(byName('node -e 0')?.detail ?? '', /1\.60x/);
});

test('the CLI start-up target is judged on the last setting measured, the strictest, and names the others', (t) => {
  const judged = (cliStartupRatios: Ratio[]) =>
    judgeTargets({
      teardownRatios: [],
      treeKillRatios: [],
      drainLatency: [],
      spawnRatios: [],
      cliStartupRatios,
      fallbackRatios: [],
      containment: [],
    }).find((x) => x.name.includes('node -e 0'));
  const asIs = ratio(
    'corral run -- true (Node v20.20.2, environment as is)',
    'node -e 0 (Node v20.20.2, environment as is)',
    1,
    1.25,
  );
  const newest = ratio(
    'corral run -- true (Node v26.12.1, no NODE_EXTRA_CA_CERTS)',
    'node -e 0 (Node v26.12.1, no NODE_EXTRA_CA_CERTS)',
    1,
    2.5,
  );
  const floorOf = (setting: string, median: number): Ratio => ({
    ...ratio(`the floor: cgroup, guard, shim, no corral code (${setting})`, `node -e 0 (${setting})`, 1, median),
    floor: true,
  });
  const both = judged([
    floorOf('Node v20.20.2, environment as is', 1.1),
    asIs,
    floorOf('Node v26.12.1, no NODE_EXTRA_CA_CERTS', 1.8),
    newest,
  ]);
  t.false(both?.met, 'met on the flattering setting, missed on the strictest: missed');
  t.regex(
    both?.detail ?? '',
    /^2\.50x \(median of 1 pairs, Node v26\.12\.1, no NODE_EXTRA_CA_CERTS\); the floor with no corral code: 1\.80x; 1\.25x for \(Node v20\.20\.2, environment as is\)$/,
    "the floor of the strictest setting is named, and the other settings' CLI figures, not their floors",
  );
  t.true(judged([asIs])?.met);
  const failed = { ...newest, summary: summarize([]) };
  t.is(
    judged([asIs, failed])?.met,
    undefined,
    'the strictest setting without pairs (its CLI failed): not measured, not judged on an easier one',
  );
  t.is(judged([])?.met, undefined, 'not measured');
});

test('the markdown report names the host and carries every table', (t) => {
  const teardown = [cell('kernel-cgroup', 10, [4, 5]), cell('corral-cgroup', 10, [4.5, 5.5])];
  const results: Results = {
    generatedAt: '2026-01-01T00:00:00.000Z',
    quick: true,
    host: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGb: 4,
      kernel: '6.1.0',
      distribution: 'Debian 12',
      cgroupLayout: 'unified',
      node: 'v20',
      loadAverage: [1.5, 1, 0.5],
    },
    config: {
      sizes: [10],
      repetitions: 2,
      capMs: 10_000,
      drainRounds: 3,
      spawnRounds: 3,
      cliRounds: 3,
      scaleGroups: 2,
      scaleRuns: 1,
    },
    unavailable: [{ contender: 'tree-kill', reason: 'not installed' }],
    teardown,
    teardownRatios: ratiosAgainst(teardown, 'kernel-cgroup'),
    graceful: [],
    gracefulRatios: [],
    drainLatency: [],
    spawn: [],
    spawnRatios: [],
    cliStartup: [cell('node -e 0', 1, [40, 42]), cell('corral run -- true', 1, [60, 62])],
    cliStartupRatios: [ratio('corral run -- true', 'node -e 0', 1, 1.5)],
    containment: [],
    serverStack: [
      {
        contender: 'ssat-sigkill',
        label: 'start-server-and-test: SIGKILLed',
        survivors: 12,
        survivorCommands: ['sleep 1000'],
        treeSize: 12,
      },
    ],
    scale: [],
    targets: [{ name: 'a target', met: false, detail: 'why' }],
  };
  const markdown = resultsMarkdown(results);
  for (const part of [
    '### Containment: a dev stack under its test runner',
    'start-server-and-test: SIGKILLed',
    '12 of 12',
    'Test CPU',
    'load average 1.5 / 1.0 / 0.5',
    'Linux 6.1.0',
    'Debian 12',
    '### Hard-kill teardown',
    '### CLI start-up',
    '| corral run -- true',
    '### Targets',
    '| a target',
    'Not measured: tree-kill: not installed',
    '1.11x',
  ]) {
    t.true(markdown.includes(part), part);
  }
});

test('cgroup2 mount and own cgroup are read from mountinfo and /proc/self/cgroup text', (t) => {
  const mountinfo = [
    '25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
    '26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw',
    '27 25 0:24 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids',
  ].join('\n');
  t.is(cgroup2MountFrom(mountinfo), '/sys/fs/cgroup/unified');
  t.true(hasCgroupV1(mountinfo));
  t.false(hasCgroupV1(mountinfo.split('\n').slice(0, 2).join('\n')));
  t.is(cgroup2MountFrom('25 30 0:22 / /sys/fs/cgroup ro - tmpfs tmpfs ro'), undefined);
  t.is(ownCgroupFrom('9:pids:/\n0::/user.slice/session-1.scope\n'), '/user.slice/session-1.scope');
  t.is(ownCgroupFrom('9:pids:/\n'), undefined);
});

test('flatTreeScript starts exactly the asked number of sleeps, and the harness sees the tree die', async (t) => {
  t.throws(() => flatTreeScript(0), { instanceOf: RangeError });
  const tag = tagFor(t);
  const contender = kernelKillpg();
  const tree = await contender.start(flatTreeScript(7), tag.env);
  t.teardown(() => tree.dispose());
  const members = await waitForTree(tag.tag, 7);
  t.is(members.length, 7);
  t.false(allGone(members));
  const timing = await timeTeardown(() => tree.hardKill(), members, 30_000);
  t.false(timing.capped);
  t.true(allGone(members));
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});

test('timeTeardown does not trust a contender that returns while the tree still lives', async (t) => {
  const tag = tagFor(t);
  const child = spawn('sh', ['-c', flatTreeScript(3)], { env: tag.env, stdio: 'ignore', detached: true });
  const members = await waitForTree(tag.tag, 3);
  // A "teardown" that kills nothing: the check must keep the clock running until the cap.
  const timing = await timeTeardown(async () => {}, members, 300);
  t.true(timing.capped);
  t.false(allGone(members));
  process.kill(-(child.pid as number), 'SIGKILL');
  t.deepEqual(await waitUntilGone(tag.tag), []);
  assertNoSurvivors(t, tag);
});
