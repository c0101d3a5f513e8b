/** The host as a person reporting a problem would describe it: distribution, kernel, CPUs, Node, user. */
// systeminformation is imported when the facts are read, not when this
// module is: bundled, a static import would load it for every command.

export interface SystemFacts {
  distro: string;
  release: string;
  kernel: string;
  arch: string;
  cpus: number;
  node: string;
}

export async function readSystemFacts(): Promise<SystemFacts> {
  const { default: si } = await import('systeminformation');
  const [os, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
  return {
    distro: os.distro,
    release: [os.release, os.codename && `(${os.codename})`].filter(Boolean).join(' '),
    kernel: os.kernel,
    arch: os.arch,
    cpus: cpu.cores,
    node: process.version,
  };
}
