/**
 * Every process a test starts carries CORRAL_TEST_TAG=<unique tag> in its
 * environment, inherited by all its descendants, `setsid` and double-forked
 * ones included. That is how a test proves nothing it started survived, and
 * how its teardown ends leftovers: by pid, only processes bearing its tag.
 */
import type { ExecutionContext } from 'ava';
import { type Dirent, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { patience, PATIENCE_MS } from './patience.js';
import { lookUntil } from './look-until.js';
import { readEnvironSync } from '../../src/proc/read-proc-file.js';

let counter = 0;

export const TAG_VARIABLE = 'CORRAL_TEST_TAG';

export interface Tag {
  readonly tag: string;
  /** process.env plus the tag: pass as the `env` of every spawn. */
  readonly env: NodeJS.ProcessEnv;
}

/** A fresh tag; the test's teardown kills whatever still bears it and fails the test if anything did. */
export function tagFor(t: ExecutionContext): Tag {
  const tag = `corral-test-${process.pid}-${++counter}-${Date.now()}`;
  t.teardown(async () => {
    const left = await waitUntilGone(tag, patience(2000));
    if (left.length > 0) {
      const seen = describeTagged(tag);
      killTagged(tag);
      // A teardown cannot fail the test in ava 7 once it passed; say it loudly
      // instead, and the explicit assertNoSurvivors() in each test is what fails.
      console.error(
        `LEAK: ${left.length} process(es) tagged ${tag} were still alive after the test (all killed now):\n${seen}`,
      );
    }
  });
  return { tag, env: { ...process.env, [TAG_VARIABLE]: tag } };
}

/**
 * Live (non-zombie) processes whose environment carries `tag`. Not counted:
 * tsx's esbuild service, which a fixture run through tsx starts beside
 * itself, outside every group, and which outlives a SIGKILLed fixture for a
 * moment (until it reads EOF). It belongs to the test harness, not to any
 * tree under test; in the compiled form of the suite it does not exist.
 */
export function findTagged(tag: string): number[] {
  const needle = `${TAG_VARIABLE}=${tag}\0`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    // One open, read and close per process (readEnvironSync): a look reads every process's environment.
    if (!readEnvironSync(Number(name))?.includes(needle)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (isEsbuildService(readFileSync(`/proc/${name}/cmdline`, 'latin1'))) continue;
      found.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function isEsbuildService(cmdline: string): boolean {
  const [file, first] = cmdline.split('\0');
  return (file?.endsWith('/esbuild') ?? false) && (first?.startsWith('--service=') ?? false);
}

/** SIGKILL (then SIGCONT, for stopped ones: harmless) every process bearing `tag`, by pid. */
export function killTagged(tag: string): number[] {
  const pids = findTagged(tag);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/** Waits up to `ms` for every process bearing `tag` to be gone; returns those still alive. */
export async function waitUntilGone(tag: string, ms = PATIENCE_MS): Promise<number[]> {
  return (
    await lookUntil(
      () => findTagged(tag),
      (left) => left.length === 0,
      { ms },
    )
  ).seen;
}

/** Asserts (now, no waiting) that nothing bearing the tag is alive; a failure lists what is. */
export function assertNoSurvivors(
  t: ExecutionContext,
  { tag }: Tag,
  message = 'no process of the test survives',
): void {
  const left = findTagged(tag);
  t.deepEqual(left, [], left.length ? `${message}\n${describeTagged(tag)}` : message);
}

/**
 * Waits until at least `count` processes bear the tag, or throws after `ms`
 * with what it saw. For a tree whose members end as sleeps, prefer
 * waitForSettled() (settle.ts): a count alone includes intermediate shells.
 */
export async function waitForTagged(tag: string, count: number, ms = PATIENCE_MS): Promise<number[]> {
  const { seen, met } = await lookUntil(
    () => findTagged(tag),
    (found) => found.length >= count,
    { ms, minimumPauseMs: 5 },
  );
  if (!met)
    throw new Error(
      `only ${seen.length} of ${count} tagged processes appeared within ${ms} ms\n${describeTagged(tag)}`,
    );
  return seen;
}

/**
 * What a failing test saw, for a CI log to be diagnosed from alone: every
 * live process bearing `tag` (pid, parent, state, cgroup, command line) and
 * the corral cgroup directories below this process's cgroup2 mount.
 */
export function describeTagged(tag: string): string {
  const lines = findTagged(tag).map((pid) => `  ${describeProcess(pid)}`);
  const dirs = corralCgroupDirs();
  return [
    `processes tagged ${tag}: ${lines.length === 0 ? 'none' : ''}`,
    ...lines,
    `corral cgroup directories: ${dirs.length === 0 ? 'none' : ''}`,
    ...dirs.map((d) => `  ${d}`),
  ].join('\n');
}

/** One line for one process: pid, parent, state, what it waits in, cgroup, executable and command line. */
export function describeProcess(pid: number): string {
  const read = (file: string): string => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'latin1');
    } catch {
      return '';
    }
  };
  const stat = read('stat');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cgroup =
    read('cgroup')
      .split('\n')
      .find((line) => line.startsWith('0::'))
      ?.slice(3) ?? '?';
  const command =
    read('cmdline').split('\0').filter(Boolean).join(' ') ||
    `[${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}]`;
  let exe = '';
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    // Not ours to read, or gone.
  }
  const wchan = read('wchan');
  return `pid ${pid} ppid ${fields[1] ?? '?'} state ${fields[0] ?? '?'}${wchan && wchan !== '0' ? ` in ${wchan}` : ''} cgroup ${cgroup} exe ${exe || '?'}: ${command.slice(0, 200)}`;
}

/** Directories named corral-* anywhere under the cgroup2 mount (found in mountinfo), deepest last. */
function corralCgroupDirs(): string[] {
  let mount: string | undefined;
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      if (right?.startsWith('cgroup2 ')) mount = left?.split(' ')[4];
    }
  } catch {
    return [];
  }
  if (!mount) return [];
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 8 || found.length > 50) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.name.startsWith('corral-')) found.push(path);
      walk(path, depth + 1);
    }
  };
  walk(mount, 0);
  return found;
}
