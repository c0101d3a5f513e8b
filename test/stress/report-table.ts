/**
 * The "Reliability" table, written by `npm run stress` from the run's own
 * figures (never typed in), and the README block it replaces with --write-doc.
 */
import { replaceGeneratedBlock } from '../../scripts/generated-block.js';
import type { SoakResult } from './soak.js';
import type { ManyGroupsResult } from './many-groups.js';
import type { DeathRound, GuardKilledFirst } from './supervisor-deaths.js';
import type { GuardCost } from './guard-cost.js';

export interface StressReport {
  date: string;
  host: string;
  soak: SoakResult;
  manyGroups: ManyGroupsResult[];
  deaths: DeathRound[];
  guardKilledFirst: GuardKilledFirst | undefined;
  guardCost: GuardCost;
  passed: boolean;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const signed = (value: number, digits = 1) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

export function renderTable(report: StressReport): string {
  const { soak } = report;
  const recovered = report.deaths.filter((d) => d.recoveryMs !== undefined);
  const times = recovered.map((d) => d.recoveryMs!).sort((a, b) => a - b);
  const withinSecond = recovered.filter((d) => d.recoveryMs! <= 1000).length;
  const rows: Array<[string, string]> = [
    [
      'Soak cycles (seed)',
      `${soak.cycles} (seed ${soak.seed}; cgroup ${soak.byMechanism.cgroup}, pgroup ${soak.byMechanism.pgroup})`,
    ],
    [
      'Teardowns',
      Object.entries(soak.byTeardown)
        .map(([name, n]) => `${name} ${n}`)
        .join(', '),
    ],
    ['Trees / processes killed', `${soak.cycles} / ${soak.processesKilled}`],
    ['Survivors', String(soak.survivors)],
    ['Leftover cgroup directories', String(soak.leftoverDirs)],
    ['Failed cycles', String(soak.failures.length)],
    [
      'Supervisor fds (after warm-up → end)',
      `${soak.fds.baseline} → ${soak.fds.final} (${signed(soak.fds.growth, 0)})`,
    ],
    [
      'Supervisor RSS MiB (after warm-up → end)',
      `${fixed(soak.rssMb.baseline)} → ${fixed(soak.rssMb.final)} (${signed(soak.rssMb.growth)})`,
    ],
    [
      'Supervisor heap MiB after GC',
      `${fixed(soak.heapMb.baseline)} → ${fixed(soak.heapMb.final)} (${signed(soak.heapMb.growth)})`,
    ],
    ...report.manyGroups.map((m): [string, string] => [
      `${m.groups} groups at once (${m.mechanism})`,
      `${m.processes} processes, closed together in ${Math.round(m.closeMs)} ms; survivors ${m.survivors}, leftover directories ${m.leftoverDirs}`,
    ]),
    [
      'Supervisor SIGKILLed (guard recoveries)',
      `${recovered.length}/${report.deaths.length} recovered (${report.deaths
        .map((d) => d.mechanism)
        .filter((m, i, all) => all.indexOf(m) === i)
        .join(', ')}), ` +
        `${withinSecond} within 1 s; median ${Math.round(times[Math.floor(times.length / 2)] ?? NaN)} ms, max ${Math.round(times.at(-1) ?? NaN)} ms`,
    ],
  ];
  if (report.guardKilledFirst) {
    const g = report.guardKilledFirst;
    rows.push([
      'Guard killed first, then supervisor',
      `${g.orphans} processes orphaned; sweepStaleGroups() removed ${g.removed} directories, killed ${g.processesKilled}; left ${g.leftAfterSweep}`,
    ]);
  }
  rows.push([
    `Guard cost (median of ${report.guardCost.starts})`,
    `ready in ${fixed(report.guardCost.startupMs)} ms, ${report.guardCost.rssKb} kB resident`,
  ]);
  rows.push(['Soak wall time', `${fixed(soak.elapsedMs / 1000, 0)} s`]);
  const lines = ['| Measure | Result |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
  return `${lines.join('\n')}\n\n_${report.passed ? 'PASSED' : 'FAILED'}: \`npm run stress\` on ${report.host}, ${report.date}._\n`;
}

/** Replace the generated `stress` block of the Markdown file at `path` with `table`. */
export function writeTableInto(path: string | URL, table: string): void {
  replaceGeneratedBlock(path, 'stress', table);
}
