/** The issue's targets, each judged from one run's results. Pure. */
import type { Cell, ContainmentRow, Ratio, TargetResult } from './results.js';
import { formatMs, formatRatio } from './table.js';

export interface TargetInputs {
  teardownRatios: Ratio[];
  treeKillRatios: Ratio[];
  drainLatency: Cell[];
  spawnRatios: Ratio[];
  cliStartupRatios: Ratio[];
  /** Against the killpg + /proc scan floor; `graceful` marks the shutdown ones. */
  fallbackRatios: Array<Ratio & { graceful?: boolean }>;
  containment: ContainmentRow[];
  /** corralPool() against vitest's forks pool, when measured. */
  vitestPoolRatios?: Ratio[];
}

const notMeasured = (name: string, why: string): TargetResult => ({
  name,
  met: undefined,
  detail: `not measured: ${why}`,
});

function kernelRatio(ratios: Ratio[], size: number): TargetResult {
  const name = `corral (cgroup) hard kill within 1.2x of the kernel baseline at N = ${size}`;
  const ratio = ratios.find(
    (r) => r.contender === 'corral-cgroup' && r.baseline === 'kernel-cgroup' && r.size === size,
  );
  if (!ratio || ratio.summary.n === 0)
    return notMeasured(name, `no paired corral (cgroup) / kernel figures at N = ${size}`);
  const met = !ratio.atLeast && ratio.summary.median <= 1.2;
  return {
    name,
    met,
    detail: `${formatRatio(ratio.summary.median, ratio.atLeast)} of cgroup.kill + inotify (median of ${ratio.summary.n} pairs)`,
  };
}

export function judgeTargets(inputs: TargetInputs): TargetResult[] {
  const targets = [kernelRatio(inputs.teardownRatios, 100), kernelRatio(inputs.teardownRatios, 1000)];

  const treeKillName = 'corral (cgroup) at least 100x faster than tree-kill at N = 100';
  const treeKill = inputs.treeKillRatios.find(
    (r) => r.contender === 'tree-kill' && r.baseline === 'corral-cgroup' && r.size === 100,
  );
  targets.push(
    treeKill && treeKill.summary.n > 0
      ? {
          name: treeKillName,
          met: treeKill.summary.median >= 100,
          detail: `tree-kill takes ${formatRatio(treeKill.summary.median, treeKill.atLeast)} as long`,
        }
      : notMeasured(treeKillName, 'no paired tree-kill / corral (cgroup) figures at N = 100'),
  );

  const drainName = 'graceful drain seen within 3 ms (median) of the tree exiting, corral (cgroup)';
  const drain = inputs.drainLatency.find((c) => c.contender === 'corral-cgroup');
  const poll = inputs.drainLatency.find((c) => c.contender === 'poll-20ms');
  targets.push(
    drain && drain.summary.n > 0
      ? {
          name: drainName,
          met: drain.summary.median <= 3,
          detail: `${formatMs(drain.summary.median)} ms median${poll && poll.summary.n > 0 ? `; the 20 ms poll: ${formatMs(poll.summary.median)} ms` : ''}`,
        }
      : notMeasured(drainName, 'corral (cgroup) could not run'),
  );

  for (const mechanism of ['cgroup', 'pgroup']) {
    const name = `spawn overhead of corral (${mechanism}) at most 1.5x child_process.spawn`;
    const ratio = inputs.spawnRatios.find((r) => r.contender === `corral-${mechanism}`);
    targets.push(
      ratio && ratio.summary.n > 0
        ? {
            name,
            met: ratio.summary.median <= 1.5,
            detail: `${formatRatio(ratio.summary.median)} (median of ${ratio.summary.n} pairs)`,
          }
        : notMeasured(name, `corral (${mechanism}) could not spawn`),
    );
  }

  for (const graceful of [false, true]) {
    for (const size of [10, 100]) {
      const name = `corral (pgroup) ${graceful ? 'graceful shutdown' : 'hard kill'} within 2x of the killpg + /proc scan floor at N = ${size}`;
      const ratio = inputs.fallbackRatios.find(
        (r) => r.contender === 'corral-pgroup' && r.size === size && Boolean(r.graceful) === graceful,
      );
      targets.push(
        ratio && ratio.summary.n > 0
          ? {
              name,
              met: !ratio.atLeast && ratio.summary.median <= 2,
              detail: `${formatRatio(ratio.summary.median, ratio.atLeast)} (median of ${ratio.summary.n} pairs)`,
            }
          : notMeasured(name, `no paired corral (pgroup) / killpg figures at N = ${size}`),
      );
    }
  }

  const cliName = '`corral run -- true` within 1.3x of `node -e 0`';
  // Judged on the last setting measured, the strictest (bench/suites/cli-startup.ts); the others are in the detail.
  // A last setting whose CLI never ran is "not measured", never judged on an easier one.
  const cliRatios = inputs.cliStartupRatios.filter((r) => !r.floor);
  const floor = inputs.cliStartupRatios.filter((r) => r.floor && r.summary.n > 0).at(-1);
  const cli = cliRatios[cliRatios.length - 1];
  const others = cliRatios
    .slice(0, -1)
    .filter((r) => r.summary.n > 0)
    .map((r) => `${formatRatio(r.summary.median)} for ${r.contender.replace(/^[^(]*/, '')}`);
  targets.push(
    cli && cli.summary.n > 0
      ? {
          name: cliName,
          met: cli.summary.median <= 1.3,
          detail:
            `${formatRatio(cli.summary.median)} (median of ${cli.summary.n} pairs, ${cli.contender.replace(/^[^(]*\(|\)$/g, '')})` +
            (floor ? `; the floor with no corral code: ${formatRatio(floor.summary.median)}` : '') +
            (others.length > 0 ? `; ${others.join('; ')}` : ''),
        }
      : notMeasured(cliName, 'the built CLI could not run (npm run build)'),
  );

  const containName = 'zero survivors of the escape zoo for corral (cgroup)';
  const contained = inputs.containment.find((r) => r.contender === 'corral-cgroup');
  targets.push(
    contained && Number.isFinite(contained.survivors) && !contained.error
      ? { name: containName, met: contained.survivors === 0, detail: `${contained.survivors} survivor(s)` }
      : notMeasured(containName, contained?.error ?? 'corral (cgroup) could not run'),
  );
  targets.push(vitestPoolTarget(inputs.vitestPoolRatios ?? []));
  return targets;
}

/** The vitest pool's target, also judged alone by `npm run bench -- --only vitest-pool`. */
export function vitestPoolTarget(ratios: Ratio[]): TargetResult {
  const name = "a 50-file vitest suite under corralPool() within 1.1x of vitest's forks pool (wall time)";
  const ratio = ratios[0];
  return ratio && ratio.summary.n > 0
    ? {
        name,
        met: ratio.summary.median <= 1.1,
        detail: `${formatRatio(ratio.summary.median)} (median of ${ratio.summary.n} pairs, ${ratio.contender})`,
      }
    : notMeasured(name, 'vitest or the built corral/vitest could not run');
}
