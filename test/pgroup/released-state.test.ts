/**
 * State per finished group is released: after many fallback groups opened
 * and closed (or spared, then ended), every process-wide record of the
 * runtime holds as many entries as before them, and no zombie is left. A
 * count of entries, not a memory figure: it holds on any machine.
 */
import test from 'ava';
import { once } from 'node:events';
import { ProcessGroup } from '../../src/index.js';
import { processRuntime } from '../../src/mechanisms/pgroup/fallback-runtime.js';
import { eventually, waitForSettled } from '../helpers/settle.js';
import { assertNoSurvivors, killTagged, tagFor, type Tag } from '../helpers/tagged-processes.js';
import { zombieChildren } from '../helpers/zombie-children.js';

/** A leader that leaves a setsid escapee, a double-forked one and a member in its group. */
const TREE = `setsid sleep 1000 & (sh -c 'sleep 1000 &' &); sleep 1000 & exec sleep 1000`;

async function cycle(tag: Tag, spare: boolean): Promise<void> {
  const group = await ProcessGroup.create({ mechanism: 'pgroup', guard: false });
  const leader = group.spawn('sh', ['-c', TREE], { env: tag.env, stdio: 'ignore' });
  const exited = once(leader, 'exit');
  // All four sleeps, and no shell between: a spared tree's double fork still to come would outlive killTagged().
  await waitForSettled(tag, 4);
  if (spare) {
    group.spare();
    await group.close();
    killTagged(tag.tag);
  } else await group.close();
  await exited;
}

test.serial('after 40 groups closed and 5 spared, the runtime holds as many records as before them', async (t) => {
  const tag = tagFor(t);
  t.teardown(() => killTagged(tag.tag));
  // The first group makes the runtime's lasting parts (the libuv subscription); the baseline is after it.
  await cycle(tag, false);
  const runtime = processRuntime();
  await eventually(() => zombieChildren().length === 0, 'no zombie child before the baseline');
  const baseline = runtime.records();
  t.is(baseline.joined, 0);
  for (let i = 0; i < 45; i++) await cycle(tag, i % 9 === 0);
  await eventually(() => zombieChildren().length === 0, 'every zombie of the trees reaped');
  t.deepEqual(runtime.records(), baseline);
  t.false(runtime.subreaperOn, 'the subreaper went off with the last group');
  assertNoSurvivors(t, tag);
});
