/**
 * GroupStats from the group's own files: cgroup.procs of the whole subtree (live members),
 * cpu.stat usage_usec (all CPU the tree used, exited members included),
 * memory.current, memory.peak and pids.peak (only where those controllers are enabled
 * for the group; a figure the host cannot give is left out, never 0).
 */
import type { GroupStats } from '../containment.js';
import { parseKeyedValues, type CgroupFs } from './cgroup-fs.js';
import { readSubtreeMembers } from './subtree.js';

async function readNumber(fs: CgroupFs, path: string): Promise<number | undefined> {
  try {
    const value = Number((await fs.readFile(path)).trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function readStats(fs: CgroupFs, dir: string): Promise<GroupStats> {
  const stats: GroupStats = { processes: readSubtreeMembers(fs, dir).length };
  const cpu = await fs.readFile(`${dir}/cpu.stat`).catch(() => undefined);
  const usage = cpu === undefined ? undefined : parseKeyedValues(cpu).get('usage_usec');
  if (usage !== undefined && Number.isFinite(usage)) stats.cpuUsageMs = usage / 1000;
  const memory = await readNumber(fs, `${dir}/memory.current`);
  if (memory !== undefined) stats.memoryBytes = memory;
  // memory.peak: kernel 5.19 and later.
  const memoryPeak = await readNumber(fs, `${dir}/memory.peak`);
  if (memoryPeak !== undefined) stats.peakMemoryBytes = memoryPeak;
  const peak = await readNumber(fs, `${dir}/pids.peak`);
  if (peak !== undefined) stats.peakProcesses = peak;
  return stats;
}
