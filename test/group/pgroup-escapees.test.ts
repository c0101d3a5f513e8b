/**
 * What the fallback contains on a real tree (the README's claims, proven):
 * descendants that leave the process group (setsid, setpgid) or are
 * orphaned (double fork, adopted by our subreaper) are still members, and
 * die with the group. The whole zoo, in both no-cgroup settings, is in
 * test/fallback/escape-zoo.test.ts; here: each escapee alone, and scale.
 */
import test from 'ava';
import { zooScript, zooSize } from '../helpers/escape-zoo.js';
import { assertNoSurvivors, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { SETTLE_MS } from '../helpers/settle.js';
import { openPgroup, sorted, spawnShell, waitForSleepers } from './open-pgroup.js';
import { PATIENCE_MS } from '../helpers/patience.js';

for (const escapee of ['doubleFork', 'setsid', 'newProcessGroup'] as const) {
  test(`a descendant that escapes the process group (${escapee}) is a member and dies with close()`, async (t) => {
    const tag = tagFor(t);
    const group = await openPgroup(t);
    spawnShell(group, tag, zooScript([escapee]));
    const all = await waitForSleepers(tag, zooSize([escapee]));

    t.deepEqual(
      sorted(await group.members()),
      sorted(all),
      'the escapee is found through its parent link or its adoption',
    );
    await group.close();

    t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), []);
    assertNoSurvivors(t, tag);
  });
}

test('a 1000-member tree of setsid and orphaned sleepers is torn down with nothing left', async (t) => {
  t.timeout(4 * SETTLE_MS);
  const tag = tagFor(t);
  const group = await openPgroup(t);
  // 500 rounds: one setsid child of the leader, one orphan (its subshell exits at once, so it is re-parented to us).
  spawnShell(
    group,
    tag,
    `i=0; while [ $i -lt 500 ]; do setsid sleep 1000 & (sleep 1000 &); i=$((i + 1)); done; exec sleep 1000`,
  );
  await waitForSleepers(tag, 1001, 2 * SETTLE_MS);

  t.is((await group.members()).length, 1001);
  await group.kill();
  t.deepEqual(await group.members(), []);
  await group.close();
  t.deepEqual(await waitUntilGone(tag.tag, 10_000), []);
  assertNoSurvivors(t, tag);
});
