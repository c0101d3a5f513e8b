/**
 * The vitest pool's bench target, judged from figures given here (no vitest
 * runs): met, missed, or "not measured"; and its table names both pools.
 */
import test from 'ava';
import { summarize } from '../../bench/lib/stats.js';
import { vitestPoolSection } from '../../bench/report/markdown.js';
import type { Cell, Ratio } from '../../bench/report/results.js';
import { judgeTargets, vitestPoolTarget } from '../../bench/report/targets.js';

const ratio = (median: number): Ratio => ({
  contender: 'corralPool() (vitest 4)',
  baseline: "vitest's forks pool (vitest 4)",
  size: 50,
  summary: summarize([median]),
  atLeast: false,
});
const cell = (contender: string, samples: number[]): Cell => ({
  contender,
  label: contender,
  size: 50,
  samples,
  summary: summarize(samples),
  capped: false,
  leftover: 0,
  errors: [],
});

test('within 1.1x is met, beyond is missed, no figures is "not measured"', (t) => {
  t.like(vitestPoolTarget([ratio(1.04)]), { met: true, detail: '1.04x (median of 1 pairs, corralPool() (vitest 4))' });
  t.like(vitestPoolTarget([ratio(1.2)]), { met: false });
  t.is(vitestPoolTarget([]).met, undefined);
  t.regex(vitestPoolTarget([]).detail, /^not measured/);
  const all = judgeTargets({
    teardownRatios: [],
    treeKillRatios: [],
    drainLatency: [],
    spawnRatios: [],
    cliStartupRatios: [],
    fallbackRatios: [],
    containment: [],
    vitestPoolRatios: [ratio(1.04)],
  });
  t.true(
    all.some((target) => target.name.includes('corralPool()') && target.met === true),
    'judged with the others',
  );
});

test('the table shows both pools and the paired ratio', (t) => {
  const section = vitestPoolSection(
    [cell("vitest's forks pool (vitest 4)", [1000, 1100]), cell('corralPool() (vitest 4)', [1050, 1120])],
    [ratio(1.03)],
  );
  t.regex(section, /### vitest: corralPool\(\) against the forks pool/);
  t.regex(section, /2 pairs alternating/);
  t.regex(section, /\| corralPool\(\) \(vitest 4\) .*1\.03x/);
});
