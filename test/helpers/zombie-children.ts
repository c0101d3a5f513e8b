/**
 * The zombie children of this process (every thread's, through
 * /proc/<pid>/task/<tid>/children): what a subreaper that does not reap
 * leaves behind.
 */
import { readdirSync } from 'node:fs';
import { threadChildren } from '../../src/proc/children.js';
import { readProcStatSync } from '../../src/proc/stat.js';

export function zombieChildren(): number[] {
  const tids = readdirSync(`/proc/${process.pid}/task`).map(Number);
  return tids.flatMap((tid) => threadChildren(tid)).filter((pid) => readProcStatSync(pid)?.state === 'Z');
}
