import { asOptionsObject, parseNumber } from './validate.js';

/** Resource limits for a group's whole tree (cgroup v2 controllers). */
export interface Limits {
  /** memory.max: bytes of memory the tree may use; beyond it the kernel reclaims, then OOM-kills inside the group. */
  memoryBytes?: number;
  /** pids.max: how many processes and threads the tree may hold at once; fork fails with EAGAIN beyond it. */
  pids?: number;
  /** cpu.max: how many CPUs' worth of time the tree may use (0.5 = half a core). */
  cpus?: number;
}

const LIMIT_KEYS = new Set(['memoryBytes', 'pids', 'cpus']);

/** Rejects 0, negative, NaN, infinite and non-integer (where it must be whole) values before anything is touched. */
export function parseLimits(value: unknown): Limits {
  const o = asOptionsObject(value, 'limits', LIMIT_KEYS) as Limits;
  const limits: Limits = {};
  if (o.memoryBytes !== undefined) limits.memoryBytes = positive(o.memoryBytes, 'limits.memoryBytes', true);
  if (o.pids !== undefined) limits.pids = positive(o.pids, 'limits.pids', true);
  if (o.cpus !== undefined) limits.cpus = positive(o.cpus, 'limits.cpus', false);
  return limits;
}

function positive(value: unknown, option: string, whole: boolean): number {
  const ok = (n: number) => Number.isFinite(n) && n > 0 && (!whole || Number.isInteger(n));
  return parseNumber(value, option, ok, `a positive finite ${whole ? 'integer' : 'number'}`, 'EINVALID_LIMIT');
}

export function hasLimits(limits: Limits | undefined): limits is Limits {
  return limits !== undefined && Object.keys(limits).length > 0;
}
