/**
 * The zombie children of this process (every thread's, through
 * /proc/<pid>/task/<tid>/children): what a subreaper that does not reap
 * leaves behind.
 */
import { ownChildren } from '../../src/mechanisms/pgroup/subreaper.js';
import { readProcStatSync } from '../../src/proc/stat.js';

export function zombieChildren(): number[] {
  return ownChildren().filter((pid) => readProcStatSync(pid)?.state === 'Z');
}
