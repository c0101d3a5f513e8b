/**
 * Who is a member (membership.ts), on /proc fixtures: a pure function of
 * the snapshot, the group's process groups, what earlier walks saw and the
 * marker carriers. No host, no clock.
 */
import test from 'ava';
import { membership, type MembershipInput } from '../../src/mechanisms/pgroup/membership.js';
import { indexProcesses } from '../../src/mechanisms/pgroup/process-table.js';
import type { ProcStat } from '../../src/proc/stat.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

const SELF = 100;
const LEADER = 500;
const group = { pgid: LEADER, leaderStartTime: 5000 };

function proc(pid: number, fields: Partial<ProcStat> = {}): ProcStat {
  return { pid, state: 'S', ppid: LEADER, pgid: LEADER, sid: LEADER, startTime: 5000 + pid, cpuTicks: 0, ...fields };
}

function walk(all: ProcStat[], input: Partial<Omit<MembershipInput, 'table'>> = {}) {
  const { live, dead } = membership({
    table: indexProcesses(all),
    groups: [group],
    seen: new Map(),
    selfPid: SELF,
    carriesMarker: () => false,
    ...input,
  });
  return { live: live.map((stat) => stat.pid).sort(), dead: dead.map((stat) => stat.pid).sort() };
}

const leader = proc(LEADER, { ppid: SELF, startTime: 5000 });

test('the process group, then every descendant by parent links: setsid and setpgid children too; zombies apart', (t) => {
  const all = [
    leader,
    proc(501),
    proc(502, { pgid: 502, sid: 502 }), // setsid child of the leader
    proc(503, { ppid: 502, pgid: 503, sid: 502 }), // its setpgid child
    proc(504, { state: 'Z' }),
    proc(505, { ppid: 1, startTime: 10 }), // in our pgid, but older than the leader: not ours
    proc(600, { ppid: 1, pgid: 600, sid: 600 }), // a stranger
  ];
  t.deepEqual(walk(all), { live: [500, 501, 502, 503], dead: [504] });
});

test('a member seen before stays one wherever its parent went; a pid now naming a younger process does not', (t) => {
  const all = [
    leader,
    proc(700, { ppid: 1, pgid: 700, sid: 700, startTime: 7000 }),
    proc(701, { ppid: 700, pgid: 700, sid: 700 }),
  ];
  t.deepEqual(walk(all, { seen: new Map([[700, 7000]]) }).live, [500, 700, 701]);
  t.deepEqual(walk(all, { seen: new Map([[700, 6999]]) }).live, [500], 'pid 700 is another process now');
});

test("an orphan handed to us belongs to the group by its session or by the marker; anyone else's does not", (t) => {
  const inSession = proc(800, { ppid: SELF, pgid: 800 });
  const marked = proc(801, { ppid: SELF, pgid: 801, sid: 801 });
  const foreign = proc(802, { ppid: SELF, pgid: 802, sid: 802 });
  const asked: number[] = [];
  const carriesMarker = (orphan: ProcStat) => {
    asked.push(orphan.pid);
    return orphan.pid === 801;
  };
  t.deepEqual(walk([leader, inSession, marked, foreign], { carriesMarker }).live, [500, 800, 801]);
  t.deepEqual(asked.sort(), [801, 802], 'the marker is asked of live orphans outside the sessions only');
});

test('a leader pid a younger process holds: the group emptied unseen and roots nothing, its session neither', (t) => {
  const stranger = proc(LEADER, { ppid: 1, startTime: 9000 });
  const strangersMember = proc(900, { startTime: 9001, ppid: SELF, pgid: LEADER });
  t.deepEqual(walk([stranger, strangersMember]), { live: [], dead: [] });
});

test('a group whose leader is gone still roots its process group and its session', (t) => {
  const member = proc(501, { ppid: SELF });
  const sessionOrphan = proc(502, { ppid: SELF, pgid: 502 });
  t.deepEqual(walk([member, sessionOrphan]).live, [501, 502]);
});

test('no group and nothing seen: nobody', (t) => {
  t.deepEqual(walk([leader, proc(501)], { groups: [] }), { live: [], dead: [] });
});
