/**
 * Resource limits on a freshly made group: memory.max, pids.max, cpu.max.
 * A limit file exists in the group only when its parent enables that
 * controller for its children (cgroup.subtree_control), and a parent can
 * only do that if the controller reaches it (cgroup.controllers) and it
 * holds no processes itself (the "no internal processes" rule). When any of
 * this is missing the group is refused with ELIMIT_UNENFORCEABLE, saying
 * what the host lacks: never a silently uncapped group.
 */
import { dirname } from 'node:path';
import { failure, limitUnenforceable, type CorralError } from '../../errors.js';
import type { Limits } from '../../options/limits.js';
import { listed, readControllers, type CgroupFs } from './cgroup-fs.js';

export type LimitController = 'memory' | 'pids' | 'cpu';

export const CPU_PERIOD_US = 100_000;
/** The kernel's smallest cpu.max quota. */
const MIN_CPU_QUOTA_US = 1000;

/** The one table of which limit needs which controller, and how it is written. */
const LIMIT_TABLE: ReadonlyArray<{
  key: keyof Limits;
  controller: LimitController;
  file: string;
  format: (value: number) => string;
}> = [
  { key: 'memoryBytes', controller: 'memory', file: 'memory.max', format: String },
  { key: 'pids', controller: 'pids', file: 'pids.max', format: String },
  { key: 'cpus', controller: 'cpu', file: 'cpu.max', format: (cpus) => cpuMax(cpus) },
];

/** Every controller a limit can need. */
export const LIMIT_CONTROLLERS: readonly LimitController[] = LIMIT_TABLE.map((row) => row.controller);

/** `cpus` as cpu.max: "<quota> <period>" in microseconds; 0.5 -> "50000 100000". */
export function cpuMax(cpus: number): string {
  const quota = Math.round(cpus * CPU_PERIOD_US);
  if (quota >= MIN_CPU_QUOTA_US) return `${quota} ${CPU_PERIOD_US}`;
  // Below a hundredth of a CPU, a ten times longer period keeps the quota legal.
  const longPeriod = CPU_PERIOD_US * 10;
  return `${Math.max(MIN_CPU_QUOTA_US, Math.round(cpus * longPeriod))} ${longPeriod}`;
}

export function limitFiles(limits: Limits): Array<{ controller: LimitController; file: string; value: string }> {
  return LIMIT_TABLE.flatMap(({ key, controller, file, format }) => {
    const value = limits[key];
    return value === undefined ? [] : [{ controller, file, value: format(value) }];
  });
}

/** The controllers `limits` need. */
export function controllersFor(limits: Limits): LimitController[] {
  return limitFiles(limits).map((f) => f.controller);
}

/** Writes every limit into `dir`; throws ELIMIT_UNENFORCEABLE (the caller removes `dir`). */
export async function applyLimits(fs: CgroupFs, dir: string, limits: Limits): Promise<void> {
  const files = limitFiles(limits);
  const enabled = await readControllers(fs, `${dir}/cgroup.controllers`);
  const missing = files.filter((f) => !enabled.has(f.controller)).map((f) => f.controller);
  if (missing.length > 0) throw await unenforceable(fs, dirname(dir), missing);
  for (const { file, value } of files) {
    const path = `${dir}/${file}`;
    await fs.writeFile(path, value).catch((error: unknown) => {
      throw failure('ELIMIT_UNENFORCEABLE', `could not set ${file} = ${value} in ${dir}`, error, { path });
    });
  }
}

/** What stops the parent from giving its children `missing`, as precisely as the files tell. */
async function unenforceable(fs: CgroupFs, parent: string, missing: LimitController[]): Promise<CorralError> {
  const available = await readControllers(fs, `${parent}/cgroup.controllers`);
  const absent = missing.filter((c) => !available.has(c));
  const why =
    absent.length > 0
      ? `the ${absent.join(', ')} controller(s) are not available in ${parent} (cgroup.controllers lists: ` +
        `${listed(available)}); the host does not delegate them to this cgroup v2 subtree`
      : `the ${missing.join(', ')} controller(s) are not enabled for children in ${parent}/cgroup.subtree_control; ` +
        'a cgroup holding processes cannot enable them (the "no internal processes" rule): ' +
        'call prepareCgroupForLimits() and pass its result as cgroupParent';
  return limitUnenforceable(why, undefined, parent);
}
