/**
 * Is the supervisor that made a group still alive? The directory's name
 * carries the owner's pid and start time, so a recycled pid (another process
 * with the same number) does not count as the owner. When /proc says nothing
 * clear (the pid is there but its stat cannot be read, e.g. hidepid), the
 * owner counts as alive: the sweep must never take a living owner's group.
 */
import { existsSync } from 'node:fs';
import { readProcStatSync } from '../../proc/stat.js';

export function ownerIsAlive(pid: number, startTime: number): boolean {
  const stat = readProcStatSync(pid);
  if (stat === undefined) return existsSync(`/proc/${pid}`);
  return stat.startTime === startTime && stat.state !== 'Z' && stat.state !== 'X';
}
