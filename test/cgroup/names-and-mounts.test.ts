/**
 * The pure parts: group directory names (which the stale sweep parses),
 * the mount table and /proc/self/cgroup, and cpu.max values.
 */
import test from 'ava';
import { cpuMax, limitFiles } from '../../src/mechanisms/cgroup/apply-limits.js';
import { formatGroupName, parseGroupName } from '../../src/mechanisms/cgroup/group-name.js';
import {
  cgroupDirectory,
  parseMountinfo,
  parseOwnCgroup,
  visibleMounts,
} from '../../src/mechanisms/cgroup/hierarchy.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

test('group names carry owner pid, owner start time and counter, and round-trip', (t) => {
  const name = { ownerPid: 4242, ownerStartTime: 987654, counter: 7, spared: false };
  t.is(formatGroupName(name), 'corral-4242-987654-7');
  t.deepEqual(parseGroupName('corral-4242-987654-7'), name);
  t.deepEqual(parseGroupName('corral-4242-987654-7-spared'), { ...name, spared: true });
  t.is(formatGroupName({ ...name, spared: true }), 'corral-4242-987654-7-spared');
});

test('names that are not corral group directories are not parsed', (t) => {
  for (const name of [
    'corral-supervisor',
    'corral-bench-1-2',
    'corral-1-2',
    'corral-1-2-3-4',
    'xcorral-1-2-3',
    'corral-1-2-3-spared-spared',
    'user.slice',
    'corral-test-delegated-1-2',
  ]) {
    t.is(parseGroupName(name), undefined, name);
  }
});

const HYBRID = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const UNIFIED_WITH_OPTIONAL_FIELDS =
  '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n';
const CONTAINER = '900 800 0:30 /docker/abc /sys/fs/cgroup ro,nosuid master:4 - cgroup2 cgroup rw\n';

test('mountinfo: the cgroup2 line is found wherever it is mounted, with optional fields and read-only flags', (t) => {
  const hybrid = parseMountinfo(HYBRID).filter((m) => m.fsType === 'cgroup2');
  t.deepEqual(
    hybrid.map((m) => m.mountPoint),
    ['/sys/fs/cgroup/unified'],
  );
  const unified = parseMountinfo(UNIFIED_WITH_OPTIONAL_FIELDS)[0]!;
  t.is(unified.fsType, 'cgroup2');
  t.is(unified.mountPoint, '/sys/fs/cgroup');
  const container = parseMountinfo(CONTAINER)[0]!;
  t.is(container.root, '/docker/abc');
  t.true(container.options.includes('ro'));
  t.is(parseMountinfo('1 2 0:1 / /mnt/with\\040space rw - cgroup2 none rw\n')[0]!.mountPoint, '/mnt/with space');
});

test('the own cgroup comes from the 0:: line; the directory from the mount and its root', (t) => {
  t.is(parseOwnCgroup('4:memory:/x\n0::/user.slice/app.scope\n'), '/user.slice/app.scope');
  t.is(parseOwnCgroup('4:memory:/x\n'), undefined);
  const mount = { mountPoint: '/sys/fs/cgroup', root: '/', readOnly: false };
  t.is(cgroupDirectory(mount, '/user.slice/app.scope'), '/sys/fs/cgroup/user.slice/app.scope');
  t.is(cgroupDirectory(mount, '/'), '/sys/fs/cgroup');
  const bound = { mountPoint: '/sys/fs/cgroup', root: '/docker/abc', readOnly: false };
  t.is(cgroupDirectory(bound, '/docker/abc/inner'), '/sys/fs/cgroup/inner');
  t.is(cgroupDirectory(bound, '/elsewhere'), undefined, 'outside the bound subtree');
  t.is(cgroupDirectory(mount, '/../../outside'), undefined, 'outside our cgroup namespace');
});

test('cpu.max: a share of CPUs as quota and period, legal even for tiny shares', (t) => {
  t.is(cpuMax(0.5), '50000 100000');
  t.is(cpuMax(2), '200000 100000');
  t.is(cpuMax(0.001), '1000 1000000');
  t.is(cpuMax(0.0001), '1000 1000000', 'the kernel minimum quota');
  t.deepEqual(
    limitFiles({ memoryBytes: 1024, pids: 5, cpus: 1 }).map((f) => `${f.file}=${f.value}`),
    ['memory.max=1024', 'pids.max=5', 'cpu.max=100000 100000'],
  );
});

test('a mount covered by a later one (same place or above) is not visible', (t) => {
  const covered = parseMountinfo(`${HYBRID}\n63 41 0:39 / /sys/fs/cgroup/unified rw - tmpfs none rw\n`);
  t.deepEqual(
    visibleMounts(covered).filter((m) => m.fsType === 'cgroup2'),
    [],
  );
  const coveredAbove = parseMountinfo(`${HYBRID}\n64 23 0:40 / /sys/fs/cgroup rw - tmpfs none rw\n`);
  t.deepEqual(
    visibleMounts(coveredAbove).filter((m) => m.fsType === 'cgroup2'),
    [],
  );
  const beside = parseMountinfo(`${HYBRID}\n65 23 0:41 / /sys/fs/cgroup/unifiedx rw - tmpfs none rw\n`);
  t.is(visibleMounts(beside).filter((m) => m.fsType === 'cgroup2').length, 1);
});
