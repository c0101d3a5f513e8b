/**
 * `corral sweep`: remove the cgroup directories that dead supervisors left
 * behind (killed before their guard could act, or with it), and kill what
 * is still inside them. See src/sweep for what is and is not touched.
 */
import { sweepStaleGroups, type SweepReport, type SweptGroup } from '../../sweep/sweep-stale-groups.js';
import type { Command } from '../commands.js';
import { EXIT_CORRAL_FAILED } from '../failure.js';
import { optionsOnly } from '../parse-flags.js';

const SWEEP_HELP = `Usage: corral sweep [--dry-run] [--include-spared] [--root DIR] [--json]

Find corral's cgroup directories whose owner (the process that made them,
by pid and start time) is gone, kill what is still inside, and remove them.
A directory whose owner is alive, or that is not corral's, is never touched.
Groups that were stood down (named ...-spared) are removed only once empty,
unless --include-spared.

Options:
  --dry-run         say what would be done, touch nothing
  --include-spared  also kill and remove stood-down groups of dead owners
  --root DIR        search below this cgroup2 directory (default: the whole cgroup2 mount)
  --json            the report as one JSON object on stdout
  --debug           stack traces on failure
  -h, --help        this help

Exit status: 0, or 125 when a directory could not be removed.
`;

export const sweepCommand: Command = {
  name: 'sweep',
  help: SWEEP_HELP,
  async main(argv, context) {
    const specs = [{ name: 'dry-run' }, { name: 'include-spared' }, { name: 'root', value: true }, { name: 'json' }];
    const flags = optionsOnly(argv, specs, sweepCommand, context);
    if (flags === undefined) return 0;
    const root = flags.values.get('root');
    const report = await sweepStaleGroups({
      dryRun: flags.switches.has('dry-run'),
      includeSpared: flags.switches.has('include-spared'),
      ...(root === undefined ? {} : { root }),
    });
    process.stdout.write(flags.switches.has('json') ? `${JSON.stringify(report, null, 2)}\n` : renderSweep(report));
    return report.failed > 0 ? EXIT_CORRAL_FAILED : 0;
  },
};

function describeGroup(group: SweptGroup): string | undefined {
  const owner = `owner ${group.ownerPid}`;
  switch (group.action) {
    case 'removed':
      return `removed  ${group.path} (${owner} gone, ${group.processesKilled} process(es) killed)`;
    case 'would-remove':
      return `would remove  ${group.path} (${owner} gone, ${group.processesKilled} process(es) to kill)`;
    case 'spared-kept':
      return `kept  ${group.path} (stood down, still running; --include-spared removes it)`;
    case 'failed':
      return `FAILED  ${group.path}: ${group.error?.message ?? 'unknown error'}`;
    case 'owner-alive':
      return undefined;
  }
}

export function renderSweep(report: SweepReport): string {
  if (report.root === undefined) return 'no cgroup2 filesystem is mounted: nothing to sweep\n';
  const lines = report.groups.map(describeGroup).filter((line): line is string => line !== undefined);
  const alive = report.groups.filter((g) => g.action === 'owner-alive').length;
  const done = `${report.removed} group(s) removed, ${report.processesKilled} process(es) killed`;
  lines.push(`${done}, ${alive} left to their live owners, ${report.failed} failed (under ${report.root})`);
  return `${lines.join('\n')}\n`;
}
