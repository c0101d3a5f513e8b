/**
 * Whether this process runs inside a container, as far as the container
 * tells: the marker files Docker (/.dockerenv) and Podman
 * (/run/.containerenv) put in the root, or a cgroup path that names the
 * runtime (docker, kubepods, containerd, libpod). Inside one, the usual
 * cgroup advice (reboot with another hierarchy, mount cgroup2, systemd-run)
 * cannot be followed: only the container's owner can grant a writable
 * cgroup, so `corral doctor` says that instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ContainerHint {
  /** docker, podman, kubernetes, containerd. */
  runtime: string;
  /** What gave it away. */
  evidence: string;
}

const CGROUP_RUNTIMES: Array<[RegExp, string]> = [
  [/kubepods/, 'kubernetes'],
  [/docker/, 'docker'],
  [/libpod/, 'podman'],
  [/containerd/, 'containerd'],
];

/** `sources`, a test seam: the filesystem root and the cgroup file to read. */
export function detectContainer(
  sources: { root: string; selfCgroup: string } = { root: '/', selfCgroup: '/proc/self/cgroup' },
): ContainerHint | undefined {
  if (existsSync(join(sources.root, '.dockerenv'))) return { runtime: 'docker', evidence: '/.dockerenv exists' };
  if (existsSync(join(sources.root, 'run/.containerenv')))
    return { runtime: 'podman', evidence: '/run/.containerenv exists' };
  let cgroups = '';
  try {
    cgroups = readFileSync(sources.selfCgroup, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of cgroups.split('\n')) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    for (const [pattern, runtime] of CGROUP_RUNTIMES) {
      if (pattern.test(path)) return { runtime, evidence: `cgroup path ${path}` };
    }
  }
  return undefined;
}
