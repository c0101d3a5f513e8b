/**
 * hostContainment() predicts, without touching anything, what 'auto' gets.
 * Checked against what really happens on this host, against the raw /proc
 * files, and on made-up hosts through the /proc seam.
 */
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostContainment, ProcessGroup } from '../../src/index.js';

test('the prediction matches what ProcessGroup.create() really gets here', async (t) => {
  const host = hostContainment();
  const group = await ProcessGroup.create({ guard: false });
  t.teardown(() => group.close());
  t.is(group.mechanism, host.mechanism);
  t.is(group.fallbackReason, host.reason);
  if (group.mechanism === 'cgroup') t.true(group.cgroupPath!.startsWith(`${host.groupParent}/corral-`));
});

test('mount point and own cgroup agree with /proc/self/mountinfo and /proc/self/cgroup', (t) => {
  const host = hostContainment();
  const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  t.is(host.ownCgroup, own);
  const v2 = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((line) => / - cgroup2 /.test(line));
  t.is(host.cgroup2Mount, v2?.split(' ')[4]);
  if (host.cgroup2Mount) {
    t.deepEqual(
      host.controllers.available,
      readFileSync(join(host.groupParent!, 'cgroup.controllers'), 'utf8').split(/\s+/).filter(Boolean),
    );
  }
  t.is(
    host.limits.enforceable,
    ['memory', 'pids', 'cpu'].every((c) => host.controllers.enabledForChildren.includes(c)) && host.writable,
  );
});

// Serial: the other tests of this file make groups of this process, which would show up here.
test.serial('it creates nothing', (t) => {
  const parent = hostContainment().groupParent;
  if (parent === undefined) {
    t.pass('no cgroup2 here: nothing to create anything in');
    return;
  }
  const before = readdirSync(parent).filter((name) => name.startsWith(`corral-${process.pid}-`));
  for (let i = 0; i < 3; i++) hostContainment();
  t.deepEqual(
    readdirSync(parent).filter((name) => name.startsWith(`corral-${process.pid}-`)),
    before,
  );
});

function fakeProc(t: import('ava').ExecutionContext, mountinfo: string, cgroup: string) {
  const dir = mkdtempSync(join(tmpdir(), 'corral-host-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sources = { mountinfo: join(dir, 'mountinfo'), selfCgroup: join(dir, 'cgroup') };
  writeFileSync(sources.mountinfo, mountinfo);
  writeFileSync(sources.selfCgroup, cgroup);
  return sources;
}

test('layouts: none, legacy (v1 only), each predicting pgroup with a reason', (t) => {
  const none = hostContainment({ procSources: fakeProc(t, '22 1 8:1 / / rw - ext4 /dev/sda1 rw\n', '') });
  t.is(none.layout, 'none');
  t.is(none.mechanism, 'pgroup');
  t.regex(none.reason!, /no cgroup2 filesystem is mounted/);
  t.false(none.writable);
  t.false(none.limits.enforceable);

  const legacy = hostContainment({
    procSources: fakeProc(t, '32 31 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n', '1:pids:/\n'),
  });
  t.is(legacy.layout, 'legacy');
  t.is(legacy.mechanism, 'pgroup');
});

test('a cgroup outside the mount (a foreign bind mount) predicts pgroup, naming the cgroup', (t) => {
  const mount = hostContainment().cgroup2Mount ?? '/sys/fs/cgroup';
  const sources = fakeProc(t, `41 31 0:38 /some/subtree ${mount} rw - cgroup2 cgroup2 rw\n`, '0::/elsewhere\n');
  const host = hostContainment({ procSources: sources });
  t.is(host.layout, 'unified');
  t.is(host.ownCgroup, '/elsewhere');
  t.is(host.ownCgroupPath, undefined);
  t.is(host.mechanism, 'pgroup');
  t.regex(host.reason!, /\/elsewhere is not reachable/);
});

test('asking about a cgroupParent that is not a cgroup directory predicts pgroup', (t) => {
  const host = hostContainment({ cgroupParent: tmpdir() });
  t.is(host.mechanism, 'pgroup');
  t.regex(host.reason!, /not a directory of a mounted cgroup2/);
});
