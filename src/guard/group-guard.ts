import type { GuardRecord } from './record.js';

/**
 * The supervisor's side of the guard (see guard.ts): the guard is told each
 * group as it is created, changed and closed, so that it can tear the trees
 * down if this process dies without running any JavaScript.
 */
export interface GroupGuard {
  /** Replace what the guard knows of group `id`. */
  track(id: string, records: GuardRecord[]): void;
  /** The group was closed (or stood down): the guard must leave it alone. */
  untrack(id: string): void;
}

/** Placeholder until the guard process lands: tracks nothing. */
export function acquireGuard(): GroupGuard {
  return { track() {}, untrack() {} };
}
