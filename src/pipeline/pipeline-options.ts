/**
 * The options of pipeline(): the stages, and what applies to all of them
 * (the deadline, the cancel, how a stage's tree is stopped, the mechanism,
 * the pipeline's ends). Checked here, before any group or process exists.
 */
import { describe, parseDeadline, parseTimeout } from '../options/durations.js';
import { resolveCreateOptions, type CreateOptions } from '../options/group-options.js';
import {
  asOptionsObject,
  checkAbortSignal,
  copyDefined,
  parseBoolean,
  parseChoice,
  parseCount,
} from '../options/validate.js';
import { invalidOption } from '../errors.js';
import { DEFAULT_MAX_BUFFER } from '../run/run-options.js';

/** One stage: `['sort', '-n']`, or an object when it needs its own cwd or env. */
export type PipelineStage =
  | readonly string[]
  | { command: string; args?: readonly string[]; cwd?: string; env?: NodeJS.ProcessEnv };

export interface PipelineOptions extends Pick<CreateOptions, 'killSignal' | 'mechanism' | 'guard'> {
  /** Total milliseconds from the first spawn; then every stage's tree is shut down (default: none). */
  timeout?: number;
  /** Cancellation: every stage's tree is shut down; the result says `cancelled`. */
  signal?: AbortSignal;
  /** Milliseconds between the graceful signal and SIGKILL, per stage (default 2000). */
  grace?: number;
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
  /** Each stage's group, as given once resolveCreateOptions accepted it. */
  group: CreateOptions;
  stdin: 'inherit' | 'ignore';
  stderr: 'inherit' | 'ignore';
  /** Undefined: no capture. */
  maxBuffer: number | undefined;
}

const GROUP_KEYS = ['killSignal', 'mechanism', 'guard'];
const ENDS_AND_DEFAULTS = ['stdin', 'stderr', 'capture', 'maxBuffer', 'cwd', 'env'];
const KNOWN = new Set([...GROUP_KEYS, ...ENDS_AND_DEFAULTS, 'timeout', 'signal', 'grace']);
const ENDS = ['inherit', 'ignore'] as const;

export function resolvePipelineOptions(stages: unknown, options: unknown = {}): ResolvedPipelineOptions {
  if (!Array.isArray(stages) || stages.length === 0)
    throw invalidOption(`pipeline(): stages must be a non-empty array, got ${describe(stages)}`);
  const o = asOptionsObject(options, 'pipeline()', KNOWN) as PipelineOptions;
  checkAbortSignal(o.signal);
  const stdin = parseChoice(o.stdin ?? 'inherit', 'stdin', ENDS);
  const stderr = parseChoice(o.stderr ?? 'inherit', 'stderr', ENDS);
  const capture = o.capture === undefined ? false : parseBoolean(o.capture, 'capture');
  if (!capture && o.maxBuffer !== undefined) throw invalidOption('maxBuffer applies only with capture: true');
  const maxBuffer = parseCount(o.maxBuffer ?? DEFAULT_MAX_BUFFER, 'maxBuffer', 'of bytes');
  const group: CreateOptions = {};
  if (o.grace !== undefined) group.shutdownTimeout = parseTimeout(o.grace, 'grace', { allowInfinite: true });
  copyDefined(o, GROUP_KEYS, group);
  resolveCreateOptions(group);
  return {
    stages: stages.map((stage, index) => resolveStage(stage, index, o)),
    timeout: parseDeadline(o.timeout, 'timeout', undefined),
    signal: o.signal,
    group,
    stdin,
    stderr,
    maxBuffer: capture ? maxBuffer : undefined,
  };
}

function resolveStage(stage: unknown, index: number, o: PipelineOptions): ResolvedStage {
  const bad = (what: string) => invalidOption(`pipeline(): stage ${index} ${what}`);
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
