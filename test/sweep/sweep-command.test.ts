/** `corral sweep`, the command, on a private cgroup parent. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatGroupName } from '../../src/mechanisms/cgroup/group-name.js';
import { startTimeOf } from '../../src/proc/stat.js';
import { LONG_SLEEP } from '../helpers/escape-zoo.js';
import { assertNoSurvivors, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { corral as runCorral } from '../cli/corral-cli.js';
import { assertAllGone, makeCgroup, ownCgroupDir, startTreeInCgroup } from '../guard/fixtures.js';
import { destroyCgroupDir } from '../cgroup/cgroup-kit.js';

const cgroupParent = ownCgroupDir();
const cgroupTest = cgroupParent ? test : test.skip;

cgroupTest(
  "corral sweep --dry-run, then corral sweep --json: the dead owner's group is killed and removed",
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const owner = spawn('true');
    const ownerStartTime = startTimeOf(owner.pid!)!;
    await once(owner, 'exit');
    const dir = join(parent, formatGroupName({ ownerPid: owner.pid!, ownerStartTime, counter: 1, spared: false }));
    mkdirSync(dir);
    t.teardown(() => destroyCgroupDir(dir));
    startTreeInCgroup(dir, tag, `exec ${LONG_SLEEP}`);
    await waitForTagged(tag.tag, 1);

    const dry = await runCorral(['sweep', '--dry-run', '--root', parent], tag);
    t.is(dry.status, 0, dry.stderr);
    t.regex(dry.stdout, new RegExp(`would remove  ${dir} \\(owner ${owner.pid} gone, 1 process\\(es\\) to kill\\)`));
    t.true(existsSync(dir));

    const real = await runCorral(['sweep', '--json', '--root', parent], tag);
    t.is(real.status, 0, real.stderr);
    const report = JSON.parse(real.stdout) as {
      removed: number;
      processesKilled: number;
      groups: Array<{ path: string; action: string }>;
    };
    t.is(report.removed, 1);
    t.is(report.processesKilled, 1);
    t.deepEqual(
      report.groups.map((g) => [g.path, g.action]),
      [[dir, 'removed']],
    );
    t.false(existsSync(dir));
    await assertAllGone(t, tag);
  },
);

test('corral sweep: a bad command line is a usage error (status 2)', async (t) => {
  const tag = tagFor(t);
  for (const args of [
    ['sweep', 'extra'],
    ['sweep', '--root', '/tmp'],
    ['sweep', '--nope'],
  ]) {
    const outcome = await runCorral(args, tag);
    t.is(outcome.status, 2, `${args.join(' ')}: ${outcome.stderr}`);
    t.regex(outcome.stderr, /^corral/);
  }
  assertNoSurvivors(t, tag);
});
