/**
 * The options of run(): corral's own (how long, how to stop, what to do with
 * leftovers, which mechanism) mixed with child_process.spawn's, as execa
 * mixes them. Everything is checked here, before a group or a process
 * exists, so bad input leaks nothing.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { CorralError } from '../errors.js';
import type { ProcessGroup } from '../group/process-group.js';
import { describe, parseTimeout } from '../options/durations.js';
import { DEFAULT_SHUTDOWN_TIMEOUT, resolveCreateOptions, type CreateOptions, type MechanismChoice } from '../options/group-options.js';
import type { Limits } from '../options/limits.js';
import type { SignalName } from '../options/signals.js';
import { asOptionsObject } from '../options/validate.js';

/** What to do when the leader exits while some of its descendants still run. */
export type LeftoversPolicy = 'kill' | 'wait' | 'keep';

export interface RunOptions {
  /** Total milliseconds from the spawn; then a graceful shutdown of the tree (default: none). */
  timeout?: number;
  /** Milliseconds between the graceful signal and SIGKILL (default 2000). */
  grace?: number;
  /** The graceful signal (default 'SIGTERM'). */
  killSignal?: NodeJS.Signals | number;
  /** SIGKILL what survives the grace (default true); false leaves it running. */
  escalate?: boolean;
  /**
   * When the leader exits but descendants still run: 'kill' (default: graceful
   * shutdown, then escalate), 'wait' (until the tree drains, bounded by
   * `timeout`), 'keep' (leave them running).
   */
  leftovers?: LeftoversPolicy;
  /** Cancellation: a graceful shutdown of the whole tree; the result says `cancelled`. */
  signal?: AbortSignal;
  mechanism?: MechanismChoice;
  limits?: Limits;
  /** Start the guard that kills the tree if this process dies by SIGKILL (default true). */
  guard?: boolean;
  /** The cgroup v2 directory to make the group in (default: this process's own cgroup); see prepareCgroupForLimits(). */
  cgroupParent?: string;
  /** Ask systemd for a delegated scope when this process's cgroup is not writable (default true; see CreateOptions). */
  systemdScope?: boolean;
  /** Called once the leader is spawned: its stdio, its pid, and the group (to signal or kill it early). */
  onSpawn?: (child: ChildProcess, group: ProcessGroup) => void;
  // The spawn options passed through to child_process.spawn:
  cwd?: SpawnOptions['cwd'];
  env?: SpawnOptions['env'];
  argv0?: SpawnOptions['argv0'];
  /** Default 'inherit': nobody would read a pipe that run() makes, and a full pipe blocks the child. */
  stdio?: SpawnOptions['stdio'];
  detached?: SpawnOptions['detached'];
  uid?: SpawnOptions['uid'];
  gid?: SpawnOptions['gid'];
  shell?: SpawnOptions['shell'];
  serialization?: SpawnOptions['serialization'];
}

export interface ResolvedRunOptions {
  /** Undefined: no deadline. */
  timeout: number | undefined;
  leftovers: LeftoversPolicy;
  signal: AbortSignal | undefined;
  onSpawn: RunOptions['onSpawn'];
  group: CreateOptions;
  killSignal: SignalName;
  spawn: SpawnOptions;
}

const LEFTOVERS: readonly LeftoversPolicy[] = ['kill', 'wait', 'keep'];
const CORRAL_KEYS = ['timeout', 'grace', 'killSignal', 'escalate', 'leftovers', 'signal', 'mechanism', 'limits', 'guard', 'cgroupParent', 'systemdScope', 'onSpawn'];
const SPAWN_KEYS = ['cwd', 'env', 'argv0', 'stdio', 'detached', 'uid', 'gid', 'shell', 'serialization'];
const KNOWN = new Set([...CORRAL_KEYS, ...SPAWN_KEYS]);

export function resolveRunOptions(options: unknown = {}): ResolvedRunOptions {
  const o = asOptionsObject(options, 'run()', KNOWN) as RunOptions;
  const leftovers = o.leftovers ?? 'kill';
  if (!LEFTOVERS.includes(leftovers)) {
    throw new CorralError('EINVALID_OPTION', `leftovers must be 'kill', 'wait' or 'keep', got ${describe(leftovers)}`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new CorralError('EINVALID_OPTION', `signal must be an AbortSignal, got ${describe(o.signal)}`);
  }
  if (o.onSpawn !== undefined && typeof o.onSpawn !== 'function') {
    throw new CorralError('EINVALID_OPTION', `onSpawn must be a function, got ${describe(o.onSpawn)}`);
  }
  // The group's own checks (signal, grace, mechanism, limits) run now too,
  // so that every option error surfaces before anything is created.
  const group: CreateOptions = {
    shutdownTimeout: o.grace === undefined ? DEFAULT_SHUTDOWN_TIMEOUT : parseTimeout(o.grace, 'grace', { allowInfinite: true }),
    killSignal: o.killSignal ?? 'SIGTERM',
    escalate: o.escalate ?? true,
    mechanism: o.mechanism ?? 'auto',
    guard: o.guard ?? true,
  };
  if (o.limits !== undefined) group.limits = o.limits;
  if (o.cgroupParent !== undefined) group.cgroupParent = o.cgroupParent;
  if (o.systemdScope !== undefined) group.systemdScope = o.systemdScope;
  const resolvedGroup = resolveCreateOptions(group);
  const spawn: SpawnOptions = { stdio: 'inherit' };
  for (const key of SPAWN_KEYS) {
    const value = (o as Record<string, unknown>)[key];
    if (value !== undefined) (spawn as Record<string, unknown>)[key] = value;
  }
  return {
    timeout: o.timeout === undefined ? undefined : parseTimeout(o.timeout, 'timeout', { allowInfinite: true }),
    leftovers,
    signal: o.signal,
    onSpawn: o.onSpawn,
    group,
    killSignal: resolvedGroup.killSignal,
    spawn,
  };
}
