/**
 * `corral run`'s command line, turned into run() options. Every check that
 * can be made on the text alone is made here, so a typo is a usage error
 * (exit 2) before any process or cgroup exists.
 */
import type { MechanismChoice } from '../../options/group-options.js';
import { parseSignal } from '../../options/signals.js';
import type { LeftoversPolicy, RunOptions } from '../../run/run-options.js';
import { parseFlags, type FlagSpec } from '../parse-flags.js';
import { parseDuration, parsePositive, parseSize } from '../units.js';
import { asUsage, oneOf, UsageError } from '../usage-error.js';
import { checkMayBecome, resolveUser } from './resolve-user.js';
import { checkRestartAllows, parseRestartFlags, parseWatchFlags } from './restart-flags.js';
import { parseServerFlags, SERVER_FLAGS } from './server-flags.js';

/** The options with a value that become run() options: each parsed from its text (its errors name `--<key>`), in this order. */
const OPTION_VALUES: Record<string, (text: string, flag: string) => RunOptions> = {
  // As in coreutils `timeout`, a timeout of 0 means none.
  timeout: (text, flag) => (parseDuration(text, flag) > 0 ? { timeout: parseDuration(text, flag) } : {}),
  grace: (text, flag) => ({ grace: parseDuration(text, flag) }),
  signal: (text, flag) => ({ killSignal: asUsage(() => parseSignal(text, flag)) }),
  leftovers: (text, flag) => ({ leftovers: oneOf<LeftoversPolicy>(text, ['kill', 'wait', 'keep'], flag) }),
  mechanism: (text, flag) => ({ mechanism: oneOf<MechanismChoice>(text, ['auto', 'cgroup', 'pgroup'], flag) }),
  memory: (text, flag) => ({ limits: { memoryBytes: parseSize(text, flag) } }),
  pids: (text, flag) => ({ limits: { pids: parsePositive(text, flag, { integer: true }) } }),
  cpus: (text, flag) => ({ limits: { cpus: parsePositive(text, flag) } }),
  user: (text) => {
    const identity = resolveUser(text);
    checkMayBecome(identity, text);
    return identity;
  },
};

/** The switches that become run() options. */
const OPTION_SWITCHES: Record<string, RunOptions> = {
  'no-escalate': { escalate: false },
  'no-systemd-scope': { systemdScope: false },
  'no-new-privs': { noNewPrivileges: true },
};

export const RUN_FLAGS: readonly FlagSpec[] = [
  ...[...Object.keys(OPTION_VALUES), 'restart', 'max-restarts', 'restart-delay', 'watch', ...SERVER_FLAGS].map(
    (name) => ({ name, value: true }),
  ),
  ...[...Object.keys(OPTION_SWITCHES), 'fail-on-leftovers', 'json', 'verbose', 'debug'].map((name) => ({ name })),
  { name: 'help', short: 'h' },
];

export type RunCommandLine = ReturnType<typeof parseRunCommandLine>;

export function parseRunCommandLine(argv: readonly string[]) {
  try {
    const { values, entries, switches, operands } = parseFlags(argv, RUN_FLAGS, 'run');
    const servers = parseServerFlags(entries);
    const help = switches.has('help');
    const [command, ...args] = operands;
    if (command === undefined && !help)
      throw new UsageError('missing command: corral run [options] -- command [args...]', 'run');
    const restart = parseRestartFlags(values);
    const watch = parseWatchFlags(entries, restart !== undefined);
    const options: RunOptions = { detached: true };
    for (const [name, parse] of Object.entries(OPTION_VALUES)) {
      const text = values.get(name);
      if (text === undefined) continue;
      const { limits, ...rest } = parse(text, `--${name}`);
      Object.assign(options, rest);
      if (limits !== undefined) options.limits = { ...options.limits, ...limits };
    }
    for (const [name, set] of Object.entries(OPTION_SWITCHES)) {
      if (switches.has(name)) Object.assign(options, set);
    }
    if (restart !== undefined) checkRestartAllows('--restart', options);
    if (watch !== undefined) checkRestartAllows('--watch', options);
    return {
      ...servers,
      help,
      debug: switches.has('debug'),
      json: switches.has('json'),
      verbose: switches.has('verbose'),
      // Exit 123 when the command left processes behind.
      failOnLeftovers: switches.has('fail-on-leftovers'),
      command: command ?? '',
      args,
      options,
      // --restart: run under supervise(); undefined for one run.
      restart,
      // --watch: the paths whose changes restart the command (absolute); undefined without.
      watch,
    };
  } catch (error) {
    // The unit parsers do not know which command they serve; the "see --help" hint should.
    if (error instanceof UsageError && error.command === undefined) throw new UsageError(error.message, 'run');
    throw error;
  }
}
