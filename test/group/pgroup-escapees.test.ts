/**
 * What process groups can and cannot contain (the README's claims, proven):
 * a double-forked daemon keeps the pgid and is killed; a descendant that
 * calls setsid() or setpgid() leaves the group and escapes.
 */
import test from 'ava';
import { zooScript, zooSize } from '../helpers/escape-zoo.js';
import { assertNoSurvivors, findTagged, killTagged, tagFor, waitUntilGone } from '../helpers/tagged-processes.js';
import { openPgroup, spawnShell, waitForSleepers } from './open-pgroup.js';
import { PATIENCE_MS } from '../helpers/patience.js';

test('a double-forked daemon keeps the pgid and is killed with the group', async (t) => {
  const tag = tagFor(t);
  const group = await openPgroup(t);
  spawnShell(group, tag, zooScript(['doubleFork']));
  await waitForSleepers(tag, zooSize(['doubleFork']));

  t.is((await group.members()).length, 2);
  await group.close();

  assertNoSurvivors(t, tag);
});

for (const escapee of ['setsid', 'newProcessGroup'] as const) {
  test(`a descendant that leaves the process group (${escapee}) escapes the pgroup mechanism`, async (t) => {
    const tag = tagFor(t);
    const group = await openPgroup(t);
    spawnShell(group, tag, zooScript([escapee]));
    // Tagged from its fork on, the escapee is a member until it has made its call and become `sleep`.
    const all = await waitForSleepers(tag, zooSize([escapee]));

    const members = await group.members();
    t.is(members.length, 1, 'only the leader is a member');
    await group.close();

    const survivors = findTagged(tag.tag);
    t.is(survivors.length, 1, 'the escapee outlived close()');
    t.true(all.includes(survivors[0]!));
    t.false(members.includes(survivors[0]!));

    killTagged(tag.tag);
    t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), []);
    assertNoSurvivors(t, tag);
  });
}
