/**
 * An explicit opt-in for supervisors (the `corral run --memory ...` CLI):
 * make this process's own cgroup able to give limits to its children.
 * A cgroup can enable controllers for its children only while it holds no
 * processes itself (the "no internal processes" rule), so every process in
 * it, this one included, is moved into a leaf `<own cgroup>/corral-supervisor`,
 * and then the controllers are enabled in `<own cgroup>/cgroup.subtree_control`.
 * Groups made with the returned `cgroupParent` then get memory.max, pids.max
 * and cpu.max. Nothing is moved when the host cannot offer the controllers
 * anyway: that is checked first. Calling it again is harmless. When the own
 * cgroup is not writable, a delegated systemd scope is entered first (see
 * docs/systemd.md), so that the leaf and the groups are the user's.
 */
import { basename, dirname, join } from 'node:path';
import { errnoOf, limitUnenforceable } from '../../errors.js';
import { listed, realCgroupFs, parsePids, readControllers, type CgroupFs } from './cgroup-fs.js';
import { LIMIT_CONTROLLERS, type LimitController } from './apply-limits.js';
import { locateHierarchy } from './hierarchy.js';
import { resolveParent } from './resolve-parent.js';
import { optedOutByEnv } from '../../options/systemd-opt-out.js';
import { processScope } from './systemd/scope-keeper.js';
import { notWritableBy } from './writable-by.js';

export const SUPERVISOR_LEAF = 'corral-supervisor';
const MOVE_ROUNDS = 10;

export interface PreparedCgroup {
  /** Pass as `cgroupParent` to ProcessGroup.create() to get groups that can hold limits. */
  cgroupParent: string;
  /** Where this process (and the others of its old cgroup) now live; undefined when nothing had to move. */
  supervisorLeaf: string | undefined;
  /** The controllers now enabled for the groups. */
  controllers: LimitController[];
}

export interface PrepareOptions {
  /** Own cgroup not writable: enter a delegated systemd scope first (default: not CORRAL_NO_SYSTEMD_SCOPE=1). */
  systemdScope?: boolean;
}

export async function prepareCgroupForLimits(
  controllers: LimitController[] = [...LIMIT_CONTROLLERS],
  fs: CgroupFs = realCgroupFs,
  options: PrepareOptions = {},
): Promise<PreparedCgroup> {
  // Only for the real file system: a test's fake one has no systemd behind it.
  if (fs === realCgroupFs) await enterScopeUnlessWritable(options.systemdScope ?? !optedOutByEnv());
  let own: string;
  try {
    own = resolveParent(undefined);
  } catch (error) {
    throw limitUnenforceable(undefined, error);
  }
  // Already prepared (by an earlier call): we sit in the leaf, and its parent gives the controllers.
  if (
    basename(own) === SUPERVISOR_LEAF &&
    allIn(controllers, await readControllers(fs, `${dirname(own)}/cgroup.subtree_control`))
  ) {
    return { cgroupParent: dirname(own), supervisorLeaf: own, controllers };
  }
  const available = await readControllers(fs, `${own}/cgroup.controllers`);
  const absent = controllers.filter((c) => !available.has(c));
  if (absent.length > 0) {
    throw limitUnenforceable(
      `the ${absent.join(', ')} controller(s) do not reach ${own} ` +
        `(its cgroup.controllers lists: ${listed(available)}); ` +
        'on a hybrid host cgroup v2 usually has none, elsewhere ask for a delegated cgroup (systemd Delegate=yes)',
    );
  }
  if (allIn(controllers, await readControllers(fs, `${own}/cgroup.subtree_control`))) {
    return { cgroupParent: own, supervisorLeaf: undefined, controllers };
  }
  // The true root cgroup is exempt from the rule (and moving every process of the host would be absurd).
  const isRoot = await fs.readFile(`${own}/cgroup.type`).then(
    () => false,
    () => true,
  );
  const leaf = isRoot ? undefined : join(own, SUPERVISOR_LEAF);
  if (leaf) await moveEveryoneInto(fs, own, leaf);
  try {
    await fs.writeFile(`${own}/cgroup.subtree_control`, controllers.map((c) => `+${c}`).join(' '));
  } catch (error) {
    throw limitUnenforceable(`enabling ${controllers.join(', ')} in ${own}/cgroup.subtree_control failed`, error);
  }
  return { cgroupParent: own, supervisorLeaf: leaf, controllers };
}

/**
 * The leaf and the groups must be this user's: when the own cgroup is not writable, enter a delegated systemd
 * scope first, so that the own cgroup becomes one this user owns. Where cgroup2 is missing or read-only nothing
 * is asked, and resolveParent() or the writes report that.
 */
async function enterScopeUnlessWritable(allowed: boolean): Promise<void> {
  const { mount, ownCgroupPath } = locateHierarchy();
  if (mount === undefined || mount.readOnly || ownCgroupPath === undefined) return;
  const notWritable = notWritableBy(ownCgroupPath, process.geteuid?.() ?? -1);
  if (notWritable === undefined) return;
  const outcome = await processScope.enter(allowed);
  if ('reason' in outcome)
    throw limitUnenforceable(`${notWritable}; no delegated systemd scope either: ${outcome.reason}`);
}

function allIn(wanted: readonly string[], have: Set<string>): boolean {
  return wanted.every((c) => have.has(c));
}

/** Moves every process of `own` into `leaf`, in rounds, since a process may fork while we move. */
async function moveEveryoneInto(fs: CgroupFs, own: string, leaf: string): Promise<void> {
  await fs.mkdir(leaf).catch((error: unknown) => {
    if (errnoOf(error) !== 'EEXIST') throw limitUnenforceable(`cannot create ${leaf}`, error);
  });
  for (let round = 0; round < MOVE_ROUNDS; round++) {
    const pids = parsePids(await fs.readFile(`${own}/cgroup.procs`));
    if (pids.length === 0) return;
    for (const pid of pids) {
      await fs.writeFile(`${leaf}/cgroup.procs`, String(pid)).catch((error: unknown) => {
        if (errnoOf(error) !== 'ESRCH') throw limitUnenforceable(`cannot move process ${pid} into ${leaf}`, error);
      });
    }
  }
}
