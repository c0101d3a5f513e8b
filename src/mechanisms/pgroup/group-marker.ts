/**
 * The environment marker every fallback group's spawn adds: CORRAL_GROUP=<id>,
 * inherited by every descendant that does not clear or rewrite its
 * environment. It attributes an adopted orphan to the group it came from,
 * and lets the guard find a group's members after the supervisor died. The
 * id holds this process's pid and start time, so a nested supervisor (itself
 * carrying an outer group's marker) never mistakes the outer group's
 * processes for its own.
 */
import { startTimeOf } from '../../proc/stat.js';

export const MARKER_VARIABLE = 'CORRAL_GROUP';

let counter = 0;

/** A marker value no other group of any supervisor holds now. */
export function newGroupMarker(): string {
  return `${process.pid}.${startTimeOf(process.pid) ?? 0}.${++counter}`;
}

/**
 * The group markers in a raw /proc/<pid>/environ (NUL-separated): the
 * environment the process was started with (execve), so one that cleared
 * its environment before its last exec carries none.
 */
export function markersIn(environ: string): string[] {
  const prefix = `${MARKER_VARIABLE}=`;
  return environ
    .split('\0')
    .filter((entry) => entry.startsWith(prefix))
    .map((entry) => entry.slice(prefix.length));
}
