/**
 * /proc/<pid>/task/<tid>/children: the children of one thread of this
 * process (the main thread by default), zombies included. The kernel hands
 * an adopted orphan to a subreaper's main thread, and a Worker's own
 * children sit under the Worker's tid.
 */
import { readFileSync } from 'node:fs';

export function threadChildren(tid = process.pid): number[] {
  let words: string[];
  try {
    words = readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'latin1').split(' ');
  } catch {
    return [];
  }
  return words.filter((word) => word !== '').map(Number);
}
