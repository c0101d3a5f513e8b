/**
 * The options of run(): corral's own (how long, how to stop, what to do with
 * leftovers, which mechanism) mixed with child_process.spawn's, as execa
 * mixes them. Everything is checked here, before a group or a process
 * exists, so bad input leaks nothing.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { assertSetprivAvailable, checkNoNewPrivileges, type GroupSpawnOptions } from '../group/no-new-privileges.js';
import type { ProcessGroup } from '../group/process-group.js';
import { describe, parseDeadline, parseTimeout } from '../options/durations.js';
import { resolveCreateOptions, type CreateOptions, type ResolvedCreateOptions } from '../options/group-options.js';
import {
  asOptionsObject,
  checkAbortSignal,
  checkFunctions,
  copyDefined,
  parseBoolean,
  parseChoice,
  parseCount,
} from '../options/validate.js';
import { invalidOption } from '../errors.js';
import type { OutputEncoding } from './capture-output.js';
import {
  resolveServerOutput,
  resolveServers,
  type ResolvedServer,
  type ServerOutput,
  type ServerSpec,
} from './servers/server-options.js';

/** What to do when the leader exits while some of its descendants still run. */
export type LeftoversPolicy = 'kill' | 'wait' | 'keep';

/** The group's own options, under the same names and with the same defaults. */
type GroupOptions = Pick<CreateOptions, (typeof GROUP_KEYS)[number]>;

export interface RunOptions extends GroupOptions {
  /** Total milliseconds from the spawn; then a graceful shutdown of the tree (default: none). */
  timeout?: number;
  /** Milliseconds between the graceful signal and SIGKILL (default 2000). */
  grace?: number;
  /**
   * When the leader exits but descendants still run: 'kill' (default: graceful
   * shutdown, then escalate), 'wait' (until the tree drains, bounded by
   * `timeout`), 'keep' (leave them running).
   */
  leftovers?: LeftoversPolicy;
  /** Cancellation: a graceful shutdown of the whole tree; the result says `cancelled`. */
  signal?: AbortSignal;
  /**
   * Read the tree's stdout and stderr into the result (`stdout`, `stderr`),
   * each bounded by `maxBuffer` (default false). stdio then defaults to
   * ['ignore', 'pipe', 'pipe']; a `stdio` given with it must keep stdout and
   * stderr as 'pipe'.
   */
  capture?: boolean;
  /** With capture: bytes kept per stream (default 1 MiB); the rest is read and dropped (`outputTruncated`). */
  maxBuffer?: number;
  /** With capture: 'utf8' strings (default) or 'buffer' (Buffers). */
  encoding?: OutputEncoding;
  /** Called once the leader is spawned: its stdio, its pid, and the group (to signal or kill it early). */
  onSpawn?: (child: ChildProcess, group: ProcessGroup) => void;
  // The spawn options passed through to child_process.spawn:
  cwd?: SpawnOptions['cwd'];
  env?: SpawnOptions['env'];
  argv0?: SpawnOptions['argv0'];
  /** Default 'inherit' (with capture: ['ignore', 'pipe', 'pipe']): a pipe nobody reads blocks the child once full. */
  stdio?: SpawnOptions['stdio'];
  detached?: SpawnOptions['detached'];
  uid?: SpawnOptions['uid'];
  gid?: SpawnOptions['gid'];
  shell?: SpawnOptions['shell'];
  serialization?: SpawnOptions['serialization'];
  /** Start the command with PR_SET_NO_NEW_PRIVS: setuid programs (sudo) gain nothing. Needs util-linux `setpriv`. */
  noNewPrivileges?: boolean;
  /**
   * Servers the command needs: each started in a group of its own, the
   * command started once every one is ready, and every server's whole tree
   * stopped when the command ends (see docs/api.md#servers).
   */
  servers?: ServerSpec[];
  /** Milliseconds each server has to be ready (default 60 000). */
  readyTimeout?: number;
  /** Where the servers' output lines go (default 'prefix': `[name] line`). */
  serverOutput?: ServerOutput;
  /** Called once each server is spawned, as onSpawn is for the command (e.g. to kill its group at once). */
  onServerSpawn?: (name: string, child: ChildProcess, group: ProcessGroup) => void;
  /**
   * Milliseconds the tree may write nothing on stdout or stderr; then a
   * graceful shutdown of the tree, and the result says `idleTimedOut`. Needs
   * to read the output: without capture and stdio, stdout and stderr become
   * pipes that corral copies to its own (so the tree sees no terminal there).
   */
  idleTimeout?: number;
}

export interface ResolvedRunOptions extends Pick<RunOptions, 'signal' | 'onSpawn' | 'onServerSpawn'> {
  /** Undefined: no deadline. */
  timeout: number | undefined;
  leftovers: LeftoversPolicy;
  group: ResolvedCreateOptions;
  spawn: GroupSpawnOptions;
  /** Undefined: no capture. */
  capture: { maxBuffer: number; encoding: OutputEncoding } | undefined;
  /** Empty: no servers. */
  servers: ResolvedServer[];
  serverOutput: ServerOutput;
  /** Undefined: none. `forward`: corral made the pipes and copies them to its own stdout and stderr. */
  idle: { timeoutMs: number; forward: boolean } | undefined;
}

export const DEFAULT_MAX_BUFFER = 1024 * 1024;

const LEFTOVERS: readonly LeftoversPolicy[] = ['kill', 'wait', 'keep'];
const ENCODINGS: readonly OutputEncoding[] = ['utf8', 'buffer'];
/** The group's own options, passed through under the same names. */
const GROUP_KEYS = ['killSignal', 'escalate', 'mechanism', 'limits', 'guard', 'cgroupParent', 'systemdScope'] as const;
const SERVER_KEYS = ['servers', 'readyTimeout', 'serverOutput', 'onServerSpawn', 'idleTimeout'];
const CORRAL_KEYS = ['timeout', 'grace', 'leftovers', 'signal', 'onSpawn', 'capture', 'maxBuffer', 'encoding'];
const NODE_SPAWN_KEYS = ['cwd', 'env', 'argv0', 'stdio', 'detached', 'uid', 'gid', 'shell', 'serialization'];
const SPAWN_KEYS = [...NODE_SPAWN_KEYS, 'noNewPrivileges'];
const KNOWN = new Set([...CORRAL_KEYS, ...GROUP_KEYS, ...SERVER_KEYS, ...SPAWN_KEYS]);

export function resolveRunOptions(options: unknown = {}): ResolvedRunOptions {
  const o = asOptionsObject(options, 'run()', KNOWN) as RunOptions;
  const leftovers = parseChoice(o.leftovers ?? 'kill', 'leftovers', LEFTOVERS);
  checkAbortSignal(o.signal);
  checkFunctions(o, ['onSpawn', 'onServerSpawn']);
  // The group's own checks and defaults (signal, grace, mechanism, limits)
  // apply now, so that every option error surfaces before anything is created.
  const group: CreateOptions = { shutdownTimeout: parseDeadline(o.grace, 'grace', undefined) };
  copyDefined(o, GROUP_KEYS, group);
  const capture = resolveCapture(o);
  checkNoNewPrivileges(o.noNewPrivileges);
  if (o.noNewPrivileges) assertSetprivAvailable();
  const spawn: GroupSpawnOptions = { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' };
  copyDefined(o, SPAWN_KEYS, spawn);
  const idle = resolveIdle(o, spawn, capture !== undefined);
  return {
    timeout: parseDeadline(o.timeout, 'timeout', undefined),
    leftovers,
    signal: o.signal,
    onSpawn: o.onSpawn,
    group: resolveCreateOptions(group),
    spawn,
    capture,
    servers: resolveServers(o.servers, o.readyTimeout),
    serverOutput: resolveServerOutput(o.serverOutput),
    onServerSpawn: o.onServerSpawn,
    idle,
  };
}

function resolveCapture(o: RunOptions): ResolvedRunOptions['capture'] {
  const capture = o.capture === undefined ? false : parseBoolean(o.capture, 'capture');
  if (!capture) {
    if (o.maxBuffer !== undefined || o.encoding !== undefined) {
      throw invalidOption('maxBuffer and encoding apply only with capture: true');
    }
    return undefined;
  }
  const maxBuffer = parseCount(o.maxBuffer ?? DEFAULT_MAX_BUFFER, 'maxBuffer', 'of bytes', { allowInfinite: true });
  const encoding = parseChoice(o.encoding ?? 'utf8', 'encoding', ENCODINGS);
  if (o.stdio !== undefined && !pipesStdoutAndStderr(o.stdio)) {
    throw invalidOption(`capture needs stdout and stderr as 'pipe', got stdio ${describe(o.stdio)}`);
  }
  return { maxBuffer, encoding };
}

/** idleTimeout reads the tree's stdout and stderr: the caller's pipes, capture's, or pipes made and copied here. */
function resolveIdle(o: RunOptions, spawn: GroupSpawnOptions, captured: boolean): ResolvedRunOptions['idle'] {
  if (o.idleTimeout === undefined) return undefined;
  const timeoutMs = parseTimeout(o.idleTimeout, 'idleTimeout', { allowInfinite: true });
  if (captured) return { timeoutMs, forward: false };
  if (o.stdio === undefined) {
    spawn.stdio = ['inherit', 'pipe', 'pipe'];
    return { timeoutMs, forward: true };
  }
  if (!pipesStdoutAndStderr(o.stdio)) {
    const got = `got stdio ${describe(o.stdio)}`;
    throw invalidOption(`idleTimeout reads stdout and stderr: leave stdio unset, or make them 'pipe'; ${got}`);
  }
  return { timeoutMs, forward: false };
}

function pipesStdoutAndStderr(stdio: SpawnOptions['stdio']): boolean {
  if (stdio === 'pipe') return true;
  return Array.isArray(stdio) && stdio[1] === 'pipe' && stdio[2] === 'pipe';
}
