/** The host header of the report: what the figures were measured on. */
import { cpus, loadavg } from 'node:os';
import si from 'systeminformation';
import type { Host } from '../report/results.js';
import { findCgroupRoot } from './cgroup-root.js';

export async function describeHost(): Promise<Host> {
  const [cpu, os, mem] = await Promise.all([si.cpu(), si.osInfo(), si.mem()]);
  const brand = `${cpu.manufacturer} ${cpu.brand}`.trim() || cpus()[0]?.model || 'unknown CPU';
  return {
    cpu: brand,
    cores: cpu.cores || cpus().length,
    memoryGb: Math.round((mem.total / 2 ** 30) * 10) / 10,
    kernel: os.kernel,
    distribution: `${os.distro} ${os.release}`.trim(),
    cgroupLayout: findCgroupRoot()?.layout ?? 'no cgroup v2 mounted',
    node: process.version,
    loadAverage: loadavg(),
  };
}
