/**
 * `corral doctor [--json]`: what this host offers for containment and what
 * mechanism 'auto' will really get, with the one fix to try when cgroup v2
 * (or limits) are out of reach. Read-only apart from one empty group that
 * is made and removed to learn what 'auto' gets.
 */
import { describeError } from '../../errors.js';
import { ProcessGroup } from '../../group/process-group.js';
import { detectContainer, type ContainerHint } from '../../host/container.js';
import { hostContainment, type HostContainment } from '../../host/host-containment.js';
import type { CgroupOrigin } from '../../mechanisms/cgroup/index.js';
import type { Command } from '../commands.js';
import { optionsOnly } from '../parse-flags.js';
import { adviceFor } from './advice.js';

const DOCTOR_HELP = `Usage: corral doctor [--json]

Show what this host offers for containment: kernel and distribution, the
cgroup2 mount and layout (unified, or hybrid with cgroup v1 alongside), this
process's cgroup and whether it is writable (if not, whether a systemd
manager can give a delegated scope instead), cgroup.kill and cgroup.freeze,
the controllers that could be delegated, and which mechanism 'auto' gets.
Where cgroup v2 or limits are out of reach, the fix to try.

Options:
  --json      one JSON object on stdout instead of text
  --debug     stack traces on failure
  -h, --help  this help
`;

interface AutoProbe {
  mechanism: 'cgroup' | 'pgroup' | 'none';
  /** Why 'auto' fell back to process groups (or why no group could be made at all). */
  reason: string | undefined;
  /** Where the group's cgroup came from (own cgroup or a systemd scope, and which unit), when it was a cgroup. */
  cgroupOrigin?: CgroupOrigin;
}

export interface DoctorReport {
  /** The host as a person reporting a problem would describe it. */
  system: Awaited<ReturnType<typeof readSystemFacts>>;
  /** hostContainment(): the prediction, made without touching anything. */
  host: HostContainment;
  /** What 'auto' really got when one empty group was made. */
  auto: AutoProbe;
  /** The container this process runs in, when it shows (null: none seen). */
  container: ContainerHint | null;
  /** The one thing to try, when cgroup v2 or limits are out of reach. */
  fix: string | null;
}

export const doctorCommand: Command = {
  name: 'doctor',
  help: DOCTOR_HELP,
  async main(argv, context) {
    const flags = optionsOnly(argv, [{ name: 'json' }], doctorCommand, context);
    if (flags === undefined) return 0;
    // The prediction first: the probe makes (and removes) a directory of its own.
    const host = hostContainment();
    const container = detectContainer();
    const [system, auto] = await Promise.all([readSystemFacts(), probeAuto()]);
    const report = { system, host, auto, container: container ?? null, fix: adviceFor(host, container) ?? null };
    process.stdout.write(flags.switches.has('json') ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
    return 0;
  },
};

async function readSystemFacts() {
  // Imported here, not at the top: bundled, a static import would load it for every command.
  const { default: si } = await import('systeminformation');
  const [os, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
  return {
    distro: os.distro,
    release: [os.release, os.codename && `(${os.codename})`].filter(Boolean).join(' '),
    kernel: os.kernel,
    arch: os.arch,
    cpus: cpu.cores,
    node: process.version,
  };
}

/**
 * What mechanism 'auto' really gets here: not a prediction but the real
 * thing, one empty group made and closed again (making the group's cgroup
 * directory is the only true permission test). Where the own cgroup is not
 * writable and a systemd manager answers, that moves doctor itself into a
 * delegated scope, which ends when doctor does.
 */
async function probeAuto(): Promise<AutoProbe> {
  let group: ProcessGroup;
  try {
    group = await ProcessGroup.create({ mechanism: 'auto', guard: false });
  } catch (error) {
    return { mechanism: 'none', reason: describeError(error) };
  }
  try {
    return {
      mechanism: group.mechanism,
      reason: group.fallbackReason,
      ...(group.cgroupOrigin ? { cgroupOrigin: group.cgroupOrigin } : {}),
    };
  } finally {
    await group.close();
  }
}

export function renderDoctor({ system, host, auto, container, fix }: DoctorReport): string {
  const yes = (value: boolean) => (value ? 'yes' : 'no');
  const limits = host.limits.enforceable
    ? 'available (--memory, --pids, --cpus)'
    : host.limits.enforceableAfterPrepare
      ? 'available: corral run moves itself into a leaf cgroup to enable them'
      : `not available: ${host.limits.reason ?? 'unknown'}`;
  const viaScope = host.cgroupOrigin?.kind === 'systemd-scope' && !host.writable;
  const manager = `the systemd ${host.cgroupOrigin?.manager} manager`;
  const predicted =
    host.reason !== undefined
      ? `${host.mechanism} (${host.reason})`
      : viaScope
        ? `${host.mechanism}, in a delegated scope of ${manager} it will move this process into`
        : host.mechanism;
  const gotScope = auto.cgroupOrigin?.kind === 'systemd-scope';
  const got =
    auto.mechanism !== host.mechanism
      ? `but making a group got ${auto.mechanism}${auto.reason ? `: ${auto.reason}` : ''}`
      : viaScope && !gotScope
        ? `but making a group did not need a systemd scope`
        : `confirmed by making a group${gotScope ? ` in ${auto.cgroupOrigin?.unit ?? 'a systemd scope'}` : ''}`;
  const ownScope =
    host.cgroupOrigin?.kind === 'systemd-scope' ? `, corral's systemd scope ${host.cgroupOrigin.unit ?? ''}` : '';
  const groupsGoIn = viaScope
    ? `a new delegated scope of ${manager} (${host.cgroupOrigin?.bus}), ` +
      `since ${host.groupParent ?? 'the own cgroup'} is not writable`
    : host.groupParent === undefined
      ? 'nowhere'
      : `${host.groupParent} (${host.writable ? 'writable' : 'not writable'})${ownScope}`;
  const rows: Array<[string, string]> = [
    ['system', `${system.distro} ${system.release}, kernel ${system.kernel}, ${system.arch}, ${system.cpus} CPU(s)`],
    ['node', `${system.node}, running as ${host.uid === 0 ? 'root' : `uid ${host.uid}`}`],
    ['container', container ? `${container.runtime} (${container.evidence})` : 'none seen'],
    [
      'cgroup2',
      host.cgroup2Mount === undefined
        ? `not mounted (layout: ${host.layout})`
        : `${host.cgroup2Mount} (${host.layout}${host.cgroup2ReadOnly ? ', read-only' : ''})`,
    ],
    ['own cgroup', host.ownCgroup ?? 'unknown'],
    ['groups go in', groupsGoIn],
    ['cgroup.kill', `${yes(host.cgroupKill)} (seen in ${host.featuresSeenIn})`],
    ['cgroup.freeze', yes(host.cgroupFreeze)],
    [
      'controllers',
      `${host.controllers.available.join(' ') || 'none'}; ` +
        `enabled for children: ${host.controllers.enabledForChildren.join(' ') || 'none'}`,
    ],
    ['limits', limits],
    ["'auto' gets", `${predicted}, ${got}`],
  ];
  if (fix !== null) rows.push(['fix', fix]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}
