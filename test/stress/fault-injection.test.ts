/**
 * Fault injection through seams, not by breaking the host. The others are
 * tested where their code lives: cgroup.kill failing (test/cgroup/seams.test.ts,
 * and for the sweep and the guard test/sweep/sweep.test.ts and
 * test/guard/guard-script.test.ts), rmdir answering EBUSY
 * (test/cgroup/seams.test.ts, test/sweep/sweep.test.ts), killpg answering
 * EPERM for a group of zombies (test/pgroup/pid-reuse.test.ts). Here: no
 * inotify, so cgroup.events never announces the drain.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { ProcessGroup } from '../../src/index.js';
import type { Containment } from '../../src/mechanisms/containment.js';
import { createCgroupContainment } from '../../src/mechanisms/cgroup/cgroup-containment.js';
import { LONG_SLEEP, zooScript, zooSize } from '../helpers/escape-zoo.js';
import { assertNoSurvivors, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { makeCgroup, ownCgroupDir } from '../guard/fixtures.js';

const cgroupParent = ownCgroupDir();
const cgroupTest = cgroupParent ? test : test.skip;

/** The containment as on a host where fs.watch fails: watch() subscribes to nothing and never calls back. */
function withoutInotify(real: Containment): { containment: Containment; subscriptions: () => number } {
  let subscriptions = 0;
  const containment = new Proxy(real, {
    get(target, property) {
      if (property === 'watch') {
        return () => {
          subscriptions += 1;
          return () => {};
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { containment, subscriptions: () => subscriptions };
}

/** Longer than ava's timeout: a wait that only an event could end would fail the test by hanging. */
const ONLY_AN_EVENT_WOULD_END_IT = 3_600_000;

cgroupTest(
  'no inotify: cgroup.events never announces the drain, and the poll still sees it (graceful shutdown, then kill)',
  async (t) => {
    const tag = tagFor(t);
    const parent = makeCgroup(t, cgroupParent!);
    const real = await createCgroupContainment({ parent, limits: undefined });
    const { containment, subscriptions } = withoutInotify(real);
    const group = ProcessGroup.fromContainment(containment, {
      shutdownTimeout: ONLY_AN_EVENT_WOULD_END_IT,
      killTimeout: ONLY_AN_EVENT_WOULD_END_IT,
    });
    t.teardown(() => group.close());
    const obliging = ['setsid', 'doubleFork', 'newProcessGroup', 'stopped'] as const;
    // A member that takes a second to honour SIGTERM, so that the driver really waits.
    const slow = `sh -c 'trap "sleep 1; exit 0" TERM; ${LONG_SLEEP} & wait' &`;
    group.spawn('sh', ['-c', `${slow}\n${zooScript([...obliging])}`], { env: tag.env, stdio: 'ignore' });
    await waitForTagged(tag.tag, zooSize([...obliging]) + 2);
    const report = await group.shutdown();
    t.true(subscriptions() > 0, 'the driver waited, asking for change events that never came');
    t.true(report.drainedWithinGrace);
    t.is(report.membersAfter, 0);

    group.spawn('sh', ['-c', zooScript(['ignoresTerm'])], { env: tag.env, stdio: 'ignore' });
    await waitForTagged(tag.tag, zooSize(['ignoresTerm']));
    await group.kill();
    t.deepEqual(await group.members(), []);
    const dir = group.cgroupPath!;
    await group.close();
    t.false(existsSync(dir));
    assertNoSurvivors(t, tag);
  },
);
