/**
 * Every file operation the cgroup mechanism makes, behind one object. The
 * real one is below; tests inject a wrapper that fails on purpose (no
 * cgroup.kill as on kernels before 5.14, rmdir answering EBUSY for a while)
 * so that those paths run for real on a host that never takes them.
 *
 * Writes open with O_WRONLY and no O_CREAT: cgroupfs cannot create files,
 * and without O_CREAT a missing control file answers ENOENT (how a missing
 * cgroup.kill is detected) instead of EACCES.
 */
import { constants, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';

export interface CgroupFs {
  readFile(path: string): Promise<string>;
  readFileSync(path: string): string;
  writeFile(path: string, data: string): Promise<void>;
  writeFileSync(path: string, data: string): void;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  rmdirSync(path: string): void;
  /** The names of the directories in `path` (a cgroup's children). */
  childDirsSync(path: string): string[];
}

// Node takes numeric open flags here; @types/node only declares the string forms.
export const WRITE_ONLY = { flag: constants.O_WRONLY as unknown as string };

// Reads and writes of control files are synchronous on purpose: cgroupfs is
// served from kernel memory and never waits on a disk, while the promise
// forms go through libuv's thread pool (open, fstat, read, close: one thread
// hand-off each); what that cost: docs/mechanisms.md, "Stopping, waiting, cleaning up".
export const realCgroupFs: CgroupFs = {
  readFile: async (path) => readFileSync(path, 'utf8'),
  readFileSync: (path) => readFileSync(path, 'utf8'),
  writeFile: async (path, data) => writeFileSync(path, data, WRITE_ONLY),
  writeFileSync: (path, data) => writeFileSync(path, data, WRITE_ONLY),
  mkdir: async (path) => {
    await mkdir(path);
  },
  rmdir: (path) => rmdir(path),
  rmdirSync: (path) => rmdirSync(path),
  childDirsSync: (path) =>
    readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name),
};

/** Runs a synchronous step whose failure has nowhere to go (an exit path, a check); false when it threw. */
export function bestEffort(step: () => unknown): boolean {
  try {
    step();
    return true;
  } catch {
    return false;
  }
}

/** The pids listed in a cgroup.procs text. */
export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map(Number);
}

/** "key value" lines (cgroup.events, cgroup.stat, cpu.stat) as a map. */
export function parseKeyedValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** The controller names of a cgroup.controllers or cgroup.subtree_control text. */
export function parseControllers(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter(Boolean));
}

/** Controllers as a message lists them. */
export function listed(controllers: Iterable<string>): string {
  return [...controllers].join(' ') || 'none';
}

/** The controllers a cgroup.controllers or cgroup.subtree_control file lists; none when it cannot be read. */
export async function readControllers(fs: CgroupFs, path: string): Promise<Set<string>> {
  return parseControllers(await fs.readFile(path).catch(() => ''));
}
