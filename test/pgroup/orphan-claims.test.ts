/**
 * Which zombie children of ours a fallback group lets a Worker's reaping
 * take (PgroupContainment.claims), against a scripted host. The runtime
 * asks every joined group's claim about every zombie child it finds, so a
 * claim must not cost a stat read per tracked group: when it did, closing
 * 200 groups at once spent most of its time opening /proc/<pid>/stat.
 */
import test from 'ava';
import { createPgroupContainment } from '../../src/mechanisms/pgroup/pgroup-containment.js';
import type { ProcStat } from '../../src/proc/stat.js';
import { FakeHost, fakeRuntime } from './fake-host.js';
import { systemClock } from '../../src/driver/clock.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

const LEADER_START = 100;

function tracking(leaders: number[]) {
  const host = new FakeHost();
  const walk = createPgroupContainment(systemClock, fakeRuntime(host));
  for (const pid of leaders) {
    host.add(pid, { startTime: LEADER_START });
    host.nextPid = pid;
    walk.spawn('leader', [], {});
  }
  return { host, walk };
}

/** A zombie child of ours (adopted), in session `sid`. */
function zombie(host: FakeHost, pid: number, sid: number, startTime = LEADER_START + 50): ProcStat {
  return { pid, state: 'Z', ppid: host.selfPid, pgid: pid, sid, cpuTicks: 0, startTime };
}

test("a zombie from a tracked group's session is claimed; one from elsewhere, a session leader or an older process is not", (t) => {
  const { host, walk } = tracking([500, 600]);
  t.true(walk.claims(zombie(host, 7000, 600)));
  t.false(walk.claims(zombie(host, 7001, 7001)), 'its own session: no group of ours');
  t.false(walk.claims(zombie(host, 7002, 9999)), 'a session no group of ours heads');
  t.false(walk.claims(zombie(host, 600, 600)), "the session leader itself (a leader is libuv's to reap)");
  t.false(walk.claims(zombie(host, 7003, 600, LEADER_START - 1)), 'older than the leader: not from its session');
});

test("a stranger holding a leader's pid ends that group's claim", (t) => {
  const { host, walk } = tracking([500]);
  host.add(500, { startTime: 900 });
  t.false(walk.claims(zombie(host, 7000, 500, 950)));
});

test('a claim costs at most one stat read, however many groups are tracked', (t) => {
  const leaders = Array.from({ length: 200 }, (_, i) => 1000 + i);
  const { host, walk } = tracking(leaders);
  host.statReads = 0;
  t.true(walk.claims(zombie(host, 5000, 1150)));
  t.true(host.statReads <= 1, `${host.statReads} stat reads`);
  host.statReads = 0;
  t.false(walk.claims(zombie(host, 5001, 4000)));
  t.is(host.statReads, 0, 'a session no group heads is answered from the registry alone');
});
