/**
 * The options of pipeline(): the stages, and what applies to all of them
 * (the deadline, the cancel, how a stage's tree is stopped, the mechanism,
 * the pipeline's ends). Checked here, before any group or process exists.
 */
import { CorralError } from '../errors.js';
import { describe, parseTimeout } from '../options/durations.js';
import { resolveCreateOptions, type CreateOptions, type MechanismChoice } from '../options/group-options.js';
import { asOptionsObject, parseBoolean } from '../options/validate.js';

/** One stage: `['sort', '-n']`, or an object when it needs its own cwd or env. */
export type PipelineStage =
  | readonly string[]
  | { command: string; args?: readonly string[]; cwd?: string; env?: NodeJS.ProcessEnv };

export interface PipelineOptions {
  /** Total milliseconds from the first spawn; then every stage's tree is shut down (default: none). */
  timeout?: number;
  /** Cancellation: every stage's tree is shut down; the result says `cancelled`. */
  signal?: AbortSignal;
  /** Milliseconds between the graceful signal and SIGKILL, per stage (default 2000). */
  grace?: number;
  /** The graceful signal (default 'SIGTERM'). */
  killSignal?: NodeJS.Signals | number;
  mechanism?: MechanismChoice;
  /** Start the guard that kills the trees if this process dies by SIGKILL (default true). */
  guard?: boolean;
  /** The first stage's stdin: 'inherit' (default) or 'ignore'. */
  stdin?: 'inherit' | 'ignore';
  /** Every stage's stderr: 'inherit' (default) or 'ignore'. */
  stderr?: 'inherit' | 'ignore';
  /** Read the last stage's stdout into the result as a string (default false: it inherits this process's stdout). */
  capture?: boolean;
  /** With capture: bytes kept (default 1 MiB); the rest is read and dropped. */
  maxBuffer?: number;
  /** Defaults for every stage (a stage's own cwd/env win). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedStage {
  command: string;
  args: string[];
  cwd: string | undefined;
  env: NodeJS.ProcessEnv | undefined;
}

export interface ResolvedPipelineOptions {
  stages: ResolvedStage[];
  timeout: number | undefined;
  signal: AbortSignal | undefined;
  /** Each stage's group (checked: resolveCreateOptions accepted it). */
  group: CreateOptions;
  stdin: 'inherit' | 'ignore';
  stderr: 'inherit' | 'ignore';
  /** Undefined: no capture. */
  maxBuffer: number | undefined;
}

const KNOWN = new Set([
  'timeout',
  'signal',
  'grace',
  'killSignal',
  'mechanism',
  'guard',
  'stdin',
  'stderr',
  'capture',
  'maxBuffer',
  'cwd',
  'env',
]);

export function resolvePipelineOptions(stages: unknown, options: unknown = {}): ResolvedPipelineOptions {
  if (!Array.isArray(stages) || stages.length === 0)
    throw new CorralError('EINVALID_OPTION', `pipeline(): stages must be a non-empty array, got ${describe(stages)}`);
  const o = asOptionsObject(options, 'pipeline()', KNOWN) as PipelineOptions;
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    throw new CorralError('EINVALID_OPTION', `signal must be an AbortSignal, got ${describe(o.signal)}`);
  for (const end of ['stdin', 'stderr'] as const) {
    if (o[end] !== undefined && o[end] !== 'inherit' && o[end] !== 'ignore')
      throw new CorralError('EINVALID_OPTION', `${end} must be 'inherit' or 'ignore', got ${describe(o[end])}`);
  }
  const capture = o.capture === undefined ? false : parseBoolean(o.capture, 'capture');
  if (!capture && o.maxBuffer !== undefined)
    throw new CorralError('EINVALID_OPTION', 'maxBuffer applies only with capture: true');
  const maxBuffer = o.maxBuffer ?? 1024 * 1024;
  if (typeof maxBuffer !== 'number' || !(maxBuffer >= 0) || !Number.isInteger(maxBuffer))
    throw new CorralError('EINVALID_OPTION', `maxBuffer must be a whole number of bytes, got ${describe(maxBuffer)}`);
  const group: CreateOptions = {};
  if (o.grace !== undefined) group.shutdownTimeout = parseTimeout(o.grace, 'grace', { allowInfinite: true });
  if (o.killSignal !== undefined) group.killSignal = o.killSignal;
  if (o.mechanism !== undefined) group.mechanism = o.mechanism;
  if (o.guard !== undefined) group.guard = o.guard;
  return {
    stages: stages.map((stage, index) => resolveStage(stage, index, o)),
    timeout: o.timeout === undefined ? undefined : parseTimeout(o.timeout, 'timeout', { allowInfinite: true }),
    signal: o.signal,
    group: checked(group),
    stdin: o.stdin ?? 'inherit',
    stderr: o.stderr ?? 'inherit',
    maxBuffer: capture ? maxBuffer : undefined,
  };
}

function resolveStage(stage: unknown, index: number, o: PipelineOptions): ResolvedStage {
  const bad = (what: string) => new CorralError('EINVALID_OPTION', `pipeline(): stage ${index} ${what}`);
  const strings = (value: unknown) => Array.isArray(value) && value.every((word) => typeof word === 'string');
  if (Array.isArray(stage)) {
    if (stage.length === 0 || !strings(stage) || stage[0] === '')
      throw bad('must be a non-empty array of strings: [command, ...args]');
    const [command, ...args] = stage as string[];
    return { command: command!, args, cwd: o.cwd, env: o.env };
  }
  if (stage === null || typeof stage !== 'object')
    throw bad(`must be [command, ...args] or { command, args }, got ${describe(stage)}`);
  const s = stage as { command?: unknown; args?: unknown; cwd?: unknown; env?: unknown };
  if (typeof s.command !== 'string' || s.command === '') throw bad('needs a command (a non-empty string)');
  if (s.args !== undefined && !strings(s.args)) throw bad('args must be an array of strings');
  if (s.cwd !== undefined && typeof s.cwd !== 'string') throw bad('cwd must be a string');
  return {
    command: s.command,
    args: [...((s.args as string[] | undefined) ?? [])],
    cwd: (s.cwd as string | undefined) ?? o.cwd,
    env: (s.env as NodeJS.ProcessEnv | undefined) ?? o.env,
  };
}

/** The group options as given, once the group's own checks (signal, mechanism, grace) accepted them. */
function checked(group: CreateOptions): CreateOptions {
  resolveCreateOptions(group);
  return group;
}
