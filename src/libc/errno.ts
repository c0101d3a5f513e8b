import { constants } from 'node:os';

const names = new Map<number, string>();
for (const [name, number] of Object.entries(constants.errno)) {
  if (!names.has(number)) names.set(number, name);
}

/** 'ESRCH' for 3, and so on; 'E<n>' for a number this platform does not name. */
export function errnoName(errno: number): string {
  return names.get(errno) ?? `E${errno}`;
}
