/**
 * The options of ProcessGroup.create() and shutdown(), checked and filled in
 * with defaults in one place, before anything is touched on the host.
 */
import { describe, parseDeadline, parseTimeout } from './durations.js';
import { asOptionsObject, parseBoolean, parseChoice } from './validate.js';
import { invalidOption } from '../errors.js';
import { parseLimits, type Limits } from './limits.js';
import { parseSignal, type SignalName } from './signals.js';
import { optedOutByEnv } from './systemd-opt-out.js';

export type MechanismChoice = 'auto' | 'cgroup' | 'pgroup';

export interface CreateOptions {
  /** 'auto' (default) prefers cgroup v2 and falls back to process groups. */
  mechanism?: MechanismChoice;
  /** Milliseconds of grace after the graceful signal (default 2000). */
  shutdownTimeout?: number;
  /** Hard-kill survivors after the grace (default true); false stands down. */
  escalate?: boolean;
  /** The graceful signal (default 'SIGTERM'). */
  killSignal?: NodeJS.Signals | number;
  /** Milliseconds to wait for the drain after SIGKILL before reporting EKILL_TIMEOUT (default 5000). */
  killTimeout?: number;
  /** Resource limits; needs cgroup v2 with the controllers delegated. */
  limits?: Limits;
  /** Start the guard that kills the tree if this process dies by SIGKILL (default true). */
  guard?: boolean;
  /**
   * The cgroup v2 directory under which the group's own cgroup is made
   * (default: this process's own cgroup, from /proc/self/cgroup).
   */
  cgroupParent?: string;
  /**
   * When this process's own cgroup is not writable, ask systemd for a
   * delegated scope and move this process into it (default true; the
   * environment variable CORRAL_NO_SYSTEMD_SCOPE=1 makes the default false).
   * See docs/systemd.md.
   */
  systemdScope?: boolean;
}

/** CreateOptions checked, with every default filled in. */
export interface ResolvedCreateOptions extends Required<Omit<CreateOptions, 'killSignal' | 'limits' | 'cgroupParent'>> {
  killSignal: SignalName;
  limits: Limits | undefined;
  cgroupParent: string | undefined;
}

export interface ShutdownOptions {
  /** Milliseconds of grace (default: the group's shutdownTimeout). */
  timeout?: number;
  /** Hard-kill survivors (default: the group's escalate). */
  escalate?: boolean;
  /** The graceful signal (default: the group's killSignal). */
  signal?: NodeJS.Signals | number;
  /** Several graceful steps, each a signal and how long to wait for it; replaces timeout/signal. */
  phases?: Array<{ signal: NodeJS.Signals | number; timeout: number }>;
  /** Bound on the wait after SIGKILL (default: the group's killTimeout). */
  killTimeout?: number;
}

export interface ShutdownPhase {
  signal: SignalName;
  /** Milliseconds to wait for the drain after this phase's signal (already clamped). */
  timeout: number;
}

/** What one shutdown() does, checked: the driver (driver/graceful.ts) carries it out. */
export interface ShutdownPlan {
  phases: ShutdownPhase[];
  /** Hard-kill survivors after the last phase (true), or stand down (false). */
  escalate: boolean;
  /** Milliseconds to wait for the drain after a hard kill before giving up. */
  killTimeout: number;
}

const MECHANISMS: readonly MechanismChoice[] = ['auto', 'cgroup', 'pgroup'];
const CREATE_KEYS = new Set([
  'mechanism',
  'shutdownTimeout',
  'escalate',
  'killSignal',
  'killTimeout',
  'limits',
  'guard',
  'cgroupParent',
  'systemdScope',
]);
const SHUTDOWN_KEYS = new Set(['timeout', 'escalate', 'signal', 'phases', 'killTimeout']);

const FOREVER_OK = { allowInfinite: true };

const DEFAULT_SHUTDOWN_TIMEOUT = 2000;
export const DEFAULT_KILL_TIMEOUT = 5000;

export function resolveCreateOptions(options: unknown = {}): ResolvedCreateOptions {
  const o = asOptionsObject(options, 'ProcessGroup.create()', CREATE_KEYS) as CreateOptions;
  const mechanism = parseChoice(o.mechanism ?? 'auto', 'mechanism', MECHANISMS, 'EINVALID_MECHANISM');
  if (o.cgroupParent !== undefined && (typeof o.cgroupParent !== 'string' || !o.cgroupParent.startsWith('/'))) {
    throw invalidOption(`cgroupParent must be an absolute path, got ${describe(o.cgroupParent)}`);
  }
  return {
    mechanism,
    shutdownTimeout: parseTimeout(o.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT, 'shutdownTimeout', FOREVER_OK),
    escalate: parseBoolean(o.escalate ?? true, 'escalate'),
    killSignal: parseSignal(o.killSignal ?? 'SIGTERM', 'killSignal'),
    killTimeout: parseTimeout(o.killTimeout ?? DEFAULT_KILL_TIMEOUT, 'killTimeout', FOREVER_OK),
    limits: o.limits === undefined ? undefined : parseLimits(o.limits),
    guard: parseBoolean(o.guard ?? true, 'guard'),
    cgroupParent: o.cgroupParent,
    systemdScope: parseBoolean(o.systemdScope ?? !optedOutByEnv(), 'systemdScope'),
  };
}

/** The driver's plan for one shutdown() call, from its options and the group's defaults. */
export function resolveShutdownPlan(options: unknown, defaults: ResolvedCreateOptions): ShutdownPlan {
  const o = asOptionsObject(options ?? {}, 'shutdown()', SHUTDOWN_KEYS) as ShutdownOptions;
  let phases: ShutdownPhase[];
  if (o.phases !== undefined) {
    if (o.timeout !== undefined || o.signal !== undefined) {
      throw invalidOption('shutdown(): give either phases or timeout/signal, not both');
    }
    if (!Array.isArray(o.phases) || o.phases.length === 0) {
      throw invalidOption('shutdown(): phases must be a non-empty array of { signal, timeout }');
    }
    phases = o.phases.map((phase, i) => {
      if (phase === null || typeof phase !== 'object') {
        throw invalidOption(`phases[${i}] must be an object { signal, timeout }`);
      }
      return {
        signal: parseSignal(phase.signal, `phases[${i}].signal`),
        timeout: parseTimeout(phase.timeout, `phases[${i}].timeout`, FOREVER_OK),
      };
    });
  } else {
    phases = [
      {
        signal: o.signal === undefined ? defaults.killSignal : parseSignal(o.signal, 'signal'),
        timeout: parseDeadline(o.timeout, 'timeout', defaults.shutdownTimeout),
      },
    ];
  }
  return {
    phases,
    escalate: o.escalate === undefined ? defaults.escalate : parseBoolean(o.escalate, 'escalate'),
    killTimeout: parseDeadline(o.killTimeout, 'killTimeout', defaults.killTimeout),
  };
}
