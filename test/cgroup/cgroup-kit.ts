/**
 * Shared set-up for the cgroup tests. cgroup v2 is expected unless
 * CORRAL_EXPECT_CGROUP=0: when it is expected and the host cannot give it,
 * requireCgroup() FAILS the test, naming the reason and the variable, so a
 * broken host never passes as a skipped suite. Every directory a test makes
 * is killed (cgroup.kill) and removed in teardown, also when the test fails.
 */
import type { ExecutionContext } from 'ava';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostContainment, ProcessGroup, type CreateOptions } from '../../src/index.js';
import type { Containment } from '../../src/mechanisms/containment.js';
import { nodeArgsInRepo, REPO } from '../helpers/node-script.js';
import { asAnotherUser, type ViewCommand } from '../helpers/as-another-user.js';
import type { Tag } from '../helpers/tagged-processes.js';
import { lookUntil } from '../helpers/look-until.js';

export { REPO };
import { eventually, isSettled, SETTLE_MS, waitForSettled } from '../helpers/settle.js';
import { KILL_TIMEOUT_MS, patience, PATIENCE_MS } from '../helpers/patience.js';

/** The zoo is up when every member is a sleep or stopped. */
export { eventually, isSettled, SETTLE_MS, waitForSettled as waitForSettledZoo };

export const cgroupExpected = process.env.CORRAL_EXPECT_CGROUP !== '0';
export const limitsExpected = process.env.CORRAL_EXPECT_LIMITS === '1';

/**
 * True when the test can go on with cgroup v2. When the host has none: a
 * failure if cgroup is expected; otherwise the test proves the refusal
 * instead (that is what CORRAL_EXPECT_CGROUP=0 hosts must show) and returns false.
 */
export async function requireCgroup(t: ExecutionContext): Promise<boolean> {
  const host = hostContainment();
  if (host.mechanism === 'cgroup') return true;
  if (cgroupExpected) {
    t.fail(
      `cgroup v2 is expected on this host but not usable: ${host.reason}. Set CORRAL_EXPECT_CGROUP=0 on hosts without it.`,
    );
    return false;
  }
  const error = await t.throwsAsync(ProcessGroup.create({ mechanism: 'cgroup', guard: false }));
  t.is((error as { code?: string } | undefined)?.code, 'ECGROUP_UNAVAILABLE');
  return false;
}

/** Kill everything in `dir` and its subgroups, then remove them all, deepest first. Best effort, for teardown. */
export async function destroyCgroupDir(dir: string): Promise<void> {
  if (dir === '' || !existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await destroyCgroupDir(join(dir, entry.name));
  }
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // Gone or empty.
  }
  const removed = () => {
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT';
    }
  };
  if (!(await lookUntil(removed, (gone) => gone, { ms: PATIENCE_MS })).met)
    console.error(`LEAK: cgroup directory ${dir} could not be removed`);
}

/** A ProcessGroup on cgroup v2 whose directory (and its `-spared` twin) is destroyed in teardown. */
export async function openCgroup(t: ExecutionContext, options: CreateOptions = {}): Promise<ProcessGroup> {
  const group = await ProcessGroup.create({
    mechanism: 'cgroup',
    guard: false,
    killTimeout: KILL_TIMEOUT_MS,
    ...options,
  });
  const dir = group.cgroupPath!;
  t.teardown(async () => {
    await group.close().catch(() => {});
    await destroyCgroupDir(dir);
    await destroyCgroupDir(`${dir}-spared`);
  });
  return group;
}

/** `sh -c script` in the group, tagged, with no pipes to keep open. */
export function spawnShell(group: ProcessGroup, tag: Tag, script: string, options: SpawnOptions = {}): ChildProcess {
  return group.spawn('sh', ['-c', script], { env: tag.env, stdio: 'ignore', ...options });
}

/** The directory's path relative to its cgroup2 mount, as /proc/<pid>/cgroup shows it. */
export function cgroupName(dir: string): string {
  const mount = hostContainment().cgroup2Mount!;
  return dir.slice(mount.length) || '/';
}

/** Resolves with the child's exit code and signal. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The directory a containment made. */
export function cgroupDirOf(containment: Containment): string {
  if (containment.cgroupPath === undefined) throw new Error('not a cgroup containment');
  return containment.cgroupPath;
}

export const NOBODY = 65534;

/**
 * The command that runs `fixture` (a path inside the repo, in the suite's
 * form) as `nobody`, first moving itself into `cgroupDir` when given; see
 * asAnotherUser for why it runs in a view of the checkout and of Node.
 */
export function asNobody(t: ExecutionContext, fixture: URL, cgroupDir?: string): ViewCommand {
  return asAnotherUser(t, {
    drop: `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups`,
    ...nodeArgsInRepo(fixture),
    joinDir: cgroupDir,
  });
}

/** How long a child Node process (a fixture under tsx) may take; the TCG guest starts Node slowly. */
export const FIXTURE_TIMEOUT_MS = patience(60_000);
