import { invalidOption } from '../errors.js';

/**
 * Node's timers hold a signed 32-bit count of milliseconds; a longer delay
 * silently becomes 1 ms. Every wait in corral is clamped to this instead, and
 * a wait this long is treated as "forever" in practice (24.8 days).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A non-negative duration in milliseconds. Infinity is accepted where
 * `allowInfinite` says so (it means "no deadline") and is clamped to
 * MAX_TIMER_MS; negative, NaN and non-numbers are EINVALID_OPTION.
 */
export function parseTimeout(value: unknown, option: string, { allowInfinite = false } = {}): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalidOption(`${option} must be a non-negative number of milliseconds, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) {
    if (!allowInfinite) {
      throw invalidOption(`${option} must be finite, got ${describe(value)}`);
    }
    return MAX_TIMER_MS;
  }
  return Math.min(value, MAX_TIMER_MS);
}

/** A duration where Infinity means "no deadline"; when unset, `unset` (undefined: none). */
export function parseDeadline<T extends number | undefined>(value: unknown, option: string, unset: T): number | T {
  return value === undefined ? unset : parseTimeout(value, option, { allowInfinite: true });
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return typeof value;
}
