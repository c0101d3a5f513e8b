/**
 * A small option parser in the POSIX "options, then operands" form that env,
 * nice and timeout use: options end at `--` or at the first word that is
 * not an option, so `corral run --timeout 2s ls -la` leaves `-la` to ls.
 * (node:util parseArgs reads options anywhere on the line, which would take
 * the command's own flags for corral's.)
 */
import type { CommandContext } from './commands.js';
import { UsageError } from './usage-error.js';

export interface FlagSpec {
  /** The long name without dashes: 'timeout' for --timeout. */
  name: string;
  /** Takes a value: --timeout 2s or --timeout=2s. */
  value?: boolean;
  /** One-letter alias without the dash: 'h' for -h. */
  short?: string;
}

export interface ParsedFlags {
  /** Options with a value; the last one given wins. */
  values: Map<string, string>;
  /** Every option with a value as [name, value], in the order given (for options that repeat or pair up). */
  entries: Array<[string, string]>;
  /** Options without a value that were given. */
  switches: Set<string>;
  /** Everything after the options: a command and its arguments. */
  operands: string[];
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], command: string): ParsedFlags {
  const parsed: ParsedFlags = { values: new Map(), entries: [], switches: new Set(), operands: [] };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--' || !word.startsWith('-') || word === '-') {
      parsed.operands = argv.slice(word === '--' ? i + 1 : i);
      return parsed;
    }
    // `--timeout` of `--timeout=2s`, or `-h`; then the spec it names, and a value given inline.
    const equals = word.startsWith('--') ? word.indexOf('=') : -1;
    const flag = equals > 0 ? word.slice(0, equals) : word;
    const spec = specs.find((s) => (flag.startsWith('--') ? `--${s.name}` : s.short && `-${s.short}`) === flag);
    const inline = equals > 0 ? word.slice(equals + 1) : undefined;
    if (spec === undefined) throw new UsageError(`unknown option ${flag}`, command);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`option --${spec.name} takes no value`, command);
      parsed.switches.add(spec.name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option --${spec.name} needs a value`, command);
    parsed.values.set(spec.name, value);
    parsed.entries.push([spec.name, value]);
  }
  return parsed;
}

/**
 * The command line of a command that takes no operands: `specs` plus --debug
 * (noted in `context`) and -h/--help, which prints `help`; undefined then.
 */
export function optionsOnly(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  command: { name: string; help: string },
  context: CommandContext,
): ParsedFlags | undefined {
  const parsed = parseFlags(argv, [...specs, { name: 'debug' }, { name: 'help', short: 'h' }], command.name);
  context.debug ||= parsed.switches.has('debug');
  if (parsed.switches.has('help')) {
    process.stdout.write(command.help);
    return undefined;
  }
  const [extra] = parsed.operands;
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`, command.name);
  return parsed;
}
