/**
 * The options of supervise(): run()'s own (each incarnation is one run()),
 * plus the restart policy, the backoff, the budget, the predicate and the
 * hooks. Everything is checked here, before anything starts, so bad input
 * leaks nothing.
 */
import type { ChildProcess } from 'node:child_process';
import type { ProcessGroup } from '../group/process-group.js';
import { describe, parseDeadline, parseTimeout } from '../options/durations.js';
import {
  asOptionsObject,
  checkFunctions,
  isPlainObject,
  parseChoice,
  parseCount,
  parseNumber,
} from '../options/validate.js';
import { invalidOption } from '../errors.js';
import type { RunResult } from '../run/run.js';
import { resolveRunOptions, type RunOptions } from '../run/run-options.js';
import type { BackoffPlan } from './backoff.js';

/** When an incarnation that ended is followed by another. */
export type RestartPolicy = 'always' | 'on-failure' | 'never';

/** supervise()'s backoff: a field left out keeps its default (DEFAULT_BACKOFF). */
export type BackoffOptions = Partial<BackoffPlan>;

/** One incarnation, as the hooks see it; `incarnation` counts from 1. */
export interface IncarnationStarted {
  incarnation: number;
  child: ChildProcess;
  group: ProcessGroup;
}

export interface IncarnationExited {
  incarnation: number;
  /** Its run() result: its whole tree is gone by now. */
  result: RunResult;
}

export interface IncarnationRestarting {
  /** The incarnation about to start. */
  incarnation: number;
  /** Milliseconds waited before it starts. */
  delayMs: number;
  /** The result of the incarnation that ended. */
  previous: RunResult;
}

export interface SuperviseOptions extends Omit<RunOptions, 'onSpawn' | 'capture' | 'maxBuffer' | 'encoding'> {
  /** 'always', 'on-failure' (default: restart unless it exited 0) or 'never'. */
  restart?: RestartPolicy;
  /** Restarts allowed in all (default Infinity); 3 means at most 4 runs. */
  maxRestarts?: number;
  backoff?: BackoffOptions;
  /** Called with each ended incarnation's result; true ends supervision ('stop-when'). */
  stopWhen?: (result: RunResult, incarnation: number) => boolean;
  /** An incarnation's leader was spawned (in a group of its own). */
  onStart?: (event: IncarnationStarted) => void;
  /** An incarnation ended and its whole tree is gone. */
  onExit?: (event: IncarnationExited) => void;
  /** The next incarnation starts after `delayMs`. */
  onRestart?: (event: IncarnationRestarting) => void;
}

export interface ResolvedSuperviseOptions extends Pick<SuperviseOptions, (typeof HOOKS)[number] | 'signal'> {
  restart: RestartPolicy;
  maxRestarts: number;
  backoff: BackoffPlan;
  /** What each incarnation's run() gets. */
  run: RunOptions;
}

export const DEFAULT_BACKOFF: BackoffPlan = {
  initialDelay: 100,
  factor: 2,
  maxDelay: 30_000,
  jitter: 0.1,
  resetAfter: 10_000,
};

const POLICIES: readonly RestartPolicy[] = ['always', 'on-failure', 'never'];
const SUPERVISION_KEYS = ['restart', 'maxRestarts', 'backoff', 'stopWhen', 'onStart', 'onExit', 'onRestart'] as const;
const HOOKS = ['stopWhen', 'onStart', 'onExit', 'onRestart'] as const;
const BACKOFF_KEYS = new Set(Object.keys(DEFAULT_BACKOFF));

export function resolveSuperviseOptions(o: SuperviseOptions = {}): ResolvedSuperviseOptions {
  if (!isPlainObject(o)) throw invalidOption(`supervise(): options must be an object, got ${describe(o)}`);
  const run: Record<string, unknown> = { ...o };
  for (const key of SUPERVISION_KEYS) delete run[key];
  for (const key of ['onSpawn', 'capture', 'maxBuffer', 'encoding']) {
    if (key in run) {
      throw invalidOption(`supervise(): ${key} is not an option here${key === 'onSpawn' ? '; use onStart' : ''}`);
    }
  }
  // Two incarnations must never overlap: a run may not leave its tree behind.
  if (o.leftovers === 'keep') {
    throw invalidOption("supervise(): leftovers 'keep' would let incarnations overlap; use 'kill' or 'wait'");
  }
  if (o.escalate === false) throw invalidOption('supervise(): escalate false would let incarnations overlap');
  // run()'s own checks, now, before anything starts.
  resolveRunOptions(run);
  const restart = parseChoice(o.restart ?? 'on-failure', 'restart', POLICIES);
  const maxRestarts = parseCount(o.maxRestarts ?? Infinity, 'maxRestarts', '>= 0', { allowInfinite: true });
  checkFunctions(o, HOOKS);
  const { stopWhen, onStart, onExit, onRestart, signal } = o;
  const backoff = resolveBackoff(o.backoff);
  return { restart, maxRestarts, backoff, stopWhen, onStart, onExit, onRestart, signal, run: run as RunOptions };
}

function resolveBackoff(backoff: unknown): BackoffPlan {
  if (backoff === undefined) return DEFAULT_BACKOFF;
  if (!isPlainObject(backoff)) throw invalidOption(`backoff must be an object, got ${describe(backoff)}`);
  const b = asOptionsObject(backoff, 'backoff', BACKOFF_KEYS) as BackoffOptions;
  const plan = { ...DEFAULT_BACKOFF };
  if (b.initialDelay !== undefined) plan.initialDelay = parseTimeout(b.initialDelay, 'backoff.initialDelay');
  if (b.maxDelay !== undefined) plan.maxDelay = parseTimeout(b.maxDelay, 'backoff.maxDelay');
  plan.resetAfter = parseDeadline(b.resetAfter, 'backoff.resetAfter', plan.resetAfter);
  if (b.factor !== undefined) {
    const atLeastOne = (n: number) => n >= 1 && Number.isFinite(n);
    plan.factor = parseNumber(b.factor, 'backoff.factor', atLeastOne, 'a finite number >= 1');
  }
  if (b.jitter !== undefined) {
    plan.jitter = parseNumber(b.jitter, 'backoff.jitter', (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
  }
  // An initial delay above the cap would be cut to it anyway; say so plainly instead of surprising.
  if (plan.initialDelay > plan.maxDelay) {
    throw invalidOption(`backoff.initialDelay (${plan.initialDelay}) exceeds backoff.maxDelay (${plan.maxDelay})`);
  }
  return plan;
}
