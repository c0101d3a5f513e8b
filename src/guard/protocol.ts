/**
 * The lines the supervisor writes to its guard (src/guard/guard.sh reads
 * them). Every record has a slot: a number the supervisor never reuses, so
 * the guard can keep each record in a shell variable of its own and forget
 * it by slot, without parsing paths.
 */
import type { GuardRecord } from './record.js';

export interface SlottedRecord {
  slot: number;
  record: GuardRecord;
}

/** The guard reads one record per line, so a path with a newline cannot be sent. */
export function isSendable(record: GuardRecord): boolean {
  if (record.kind === 'cgroup') return !record.path.includes('\n');
  // A marker is ours (group-marker.ts: digits and dots); anything else could break the guard's line.
  return record.kind !== 'marker' || /^[\w.-]+$/.test(record.marker);
}

export function rememberLine({ slot, record }: SlottedRecord): string {
  switch (record.kind) {
    case 'cgroup':
      return `C ${slot} ${record.path}\n`;
    case 'pgroup':
      return `P ${slot} ${record.pgid} ${record.leaderStartTime}\n`;
    case 'marker':
      return `E ${slot} ${record.marker}\n`;
    case 'process':
      return `M ${slot} ${record.pid} ${record.startTime}\n`;
  }
}

export function forgetLine(slots: readonly number[]): string {
  return slots.length === 0 ? '' : `U ${slots.join(' ')}\n`;
}

export function syncLine(n: number): string {
  return `S ${n}\n`;
}

/** The supervisor exits normally: its exit cleanup has done the killing. */
export const GOODBYE_LINE = 'B\n';
