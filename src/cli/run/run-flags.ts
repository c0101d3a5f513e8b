/**
 * `corral run`'s command line, turned into run() options. Every check that
 * can be made on the text alone is made here, so a typo is a usage error
 * (exit 2) before any process or cgroup exists.
 */
import type { MechanismChoice } from '../../options/group-options.js';
import type { Limits } from '../../options/limits.js';
import { parseSignal } from '../../options/signals.js';
import type { LeftoversPolicy, RunOptions } from '../../run/run-options.js';
import { parseFlags, type FlagSpec } from '../parse-flags.js';
import { parseDuration, parsePositive, parseSize } from '../units.js';
import { asUsage, inCommand, oneOf, UsageError } from '../usage-error.js';
import { checkMayBecome, resolveUser } from './resolve-user.js';
import { checkRestartAllows, parseRestartFlags, RESTART_FLAGS, type RestartRequest } from './restart-flags.js';
import { parseWatchFlags, WATCH_FLAGS } from './watch-flags.js';

export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'timeout', value: true },
  { name: 'grace', value: true },
  { name: 'signal', value: true },
  { name: 'no-escalate' },
  { name: 'leftovers', value: true },
  { name: 'mechanism', value: true },
  { name: 'no-systemd-scope' },
  { name: 'memory', value: true },
  { name: 'pids', value: true },
  { name: 'cpus', value: true },
  { name: 'user', value: true },
  { name: 'no-new-privs' },
  { name: 'fail-on-leftovers' },
  { name: 'json' },
  { name: 'verbose' },
  { name: 'debug' },
  { name: 'help', short: 'h' },
  ...RESTART_FLAGS,
  ...WATCH_FLAGS,
];

export interface RunCommandLine {
  help: boolean;
  debug: boolean;
  json: boolean;
  verbose: boolean;
  /** Exit 123 when the command left processes behind. */
  failOnLeftovers: boolean;
  command: string;
  args: string[];
  options: RunOptions;
  /** --restart: run under supervise(); undefined for one run. */
  restart: RestartRequest | undefined;
  /** --watch: the paths whose changes restart the command (absolute); undefined without. */
  watch: string[] | undefined;
}

export function parseRunCommandLine(argv: readonly string[]): RunCommandLine {
  return inCommand('run', () => parse(argv));
}

function parse(argv: readonly string[]): RunCommandLine {
  const { values, lists, switches, operands } = parseFlags(argv, RUN_FLAGS, 'run');
  const help = switches.has('help');
  const [command, ...args] = operands;
  if (command === undefined && !help)
    throw new UsageError('missing command: corral run [options] -- command [args...]', 'run');
  const restart = parseRestartFlags(values);
  const watch = parseWatchFlags(lists, restart !== undefined);
  const options: RunOptions = { detached: true };
  const text = (name: string) => values.get(name);
  const timeout = text('timeout');
  // As in coreutils `timeout`, a timeout of 0 means none.
  if (timeout !== undefined && parseDuration(timeout, '--timeout') > 0)
    options.timeout = parseDuration(timeout, '--timeout');
  const grace = text('grace');
  if (grace !== undefined) options.grace = parseDuration(grace, '--grace');
  const signal = text('signal');
  if (signal !== undefined) options.killSignal = asUsage(() => parseSignal(signal, '--signal'));
  if (switches.has('no-escalate')) options.escalate = false;
  const leftovers = text('leftovers');
  if (leftovers !== undefined)
    options.leftovers = oneOf<LeftoversPolicy>(leftovers, ['kill', 'wait', 'keep'], '--leftovers');
  const mechanism = text('mechanism');
  if (mechanism !== undefined)
    options.mechanism = oneOf<MechanismChoice>(mechanism, ['auto', 'cgroup', 'pgroup'], '--mechanism');
  if (switches.has('no-systemd-scope')) options.systemdScope = false;
  const limits = parseLimits(values);
  if (limits !== undefined) options.limits = limits;
  const user = text('user');
  if (user !== undefined) {
    const identity = resolveUser(user);
    checkMayBecome(identity, user);
    Object.assign(options, identity);
  }
  if (switches.has('no-new-privs')) options.noNewPrivileges = true;
  if (restart !== undefined) checkRestartAllows('--restart', options);
  if (watch !== undefined) checkRestartAllows('--watch', options);
  return {
    help,
    debug: switches.has('debug'),
    json: switches.has('json'),
    verbose: switches.has('verbose'),
    failOnLeftovers: switches.has('fail-on-leftovers'),
    command: command ?? '',
    args,
    options,
    restart,
    watch,
  };
}

function parseLimits(values: Map<string, string>): Limits | undefined {
  const limits: Limits = {};
  const memory = values.get('memory');
  if (memory !== undefined) limits.memoryBytes = parseSize(memory, '--memory');
  const pids = values.get('pids');
  if (pids !== undefined) limits.pids = parsePositive(pids, '--pids', { integer: true });
  const cpus = values.get('cpus');
  if (cpus !== undefined) limits.cpus = parsePositive(cpus, '--cpus');
  return Object.keys(limits).length > 0 ? limits : undefined;
}
