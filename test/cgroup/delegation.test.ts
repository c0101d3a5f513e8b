/**
 * A non-root user with a delegated subtree (what systemd's Delegate=yes
 * gives) gets the full cgroup mechanism. As root, the test makes the
 * delegation itself: a directory chowned to `nobody` with its cgroup.procs,
 * cgroup.subtree_control and cgroup.threads (the files a delegation hands
 * over), a shell that moves itself in and drops to nobody with setpriv (see asNobody), and
 * a fixture that contains, escalates and cleans up the escape zoo there.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hostContainment } from '../../src/index.js';
import { nodeArgs } from '../helpers/node-script.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import {
  asNobody,
  FIXTURE_TIMEOUT_MS,
  destroyCgroupDir,
  isDirectory,
  NOBODY,
  REPO,
  requireCgroup,
} from './cgroup-kit.js';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/cgroup-delegated.ts', import.meta.url);
const DELEGATED_FILES = ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'];

interface DelegatedResult {
  uid: number;
  cgroupPath: string;
  escalated: boolean;
  membersBefore: number;
  left: number[];
  dirLeft: boolean;
}

test('an unprivileged user in a delegated subtree contains, kills and cleans up the escape zoo', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const asRoot = process.getuid?.() === 0;
  const parent = hostContainment().groupParent!;
  let delegated: string | undefined;
  let command: string[];
  if (asRoot) {
    delegated = join(parent, `corral-test-delegated-${process.pid}-${Date.now()}`);
    mkdirSync(delegated);
    t.teardown(() => destroyCgroupDir(delegated!));
    for (const path of [delegated, ...DELEGATED_FILES.map((f) => join(delegated!, f))]) chownSync(path, NOBODY, NOBODY);
    const nobody = asNobody(t, FIXTURE, delegated);
    command = [nobody.file, ...nobody.args];
  } else {
    // Already unprivileged (the VM's delegated scope): the fixture runs as this user, in this delegation.
    command = [process.execPath, ...nodeArgs(FIXTURE)];
  }

  const { stdout } = await run(command[0]!, command.slice(1), { env: tag.env, cwd: REPO, timeout: FIXTURE_TIMEOUT_MS });
  const result = JSON.parse(stdout) as DelegatedResult;

  t.not(result.uid, 0, 'the fixture ran unprivileged');
  if (delegated) {
    t.is(result.uid, NOBODY);
    t.true(result.cgroupPath.startsWith(`${delegated}/corral-`), 'the group was made inside the delegated subtree');
    t.deepEqual(
      readdirSync(delegated).filter((name) => isDirectory(join(delegated!, name))),
      [],
      'no group directory left',
    );
  }
  t.true(result.escalated, 'the SIGTERM ignorer forced the escalation');
  t.true(result.membersBefore >= 7);
  t.deepEqual(result.left, []);
  t.false(result.dirLeft);
  assertNoSurvivors(t, tag);
});
