/**
 * The reaping decision (zombies-to-reap.ts) on /proc fixtures: only zombies,
 * never a pid libuv has not reaped, never a child from before corral
 * watched (unless its pid now names another process), and live orphans are
 * counted so SIGCHLD stays heard until they are gone.
 */
import test from 'ava';
import type { ProcStat } from '../../src/proc/stat.js';
import { zombiesToReap } from '../../src/mechanisms/pgroup/zombies-to-reap.js';
import { hermetic } from '../helpers/hermetic.js';

hermetic();

const SELF = 100;
const child = (pid: number, state: string, startTime = pid * 10, sid = pid): ProcStat => ({
  pid,
  state,
  ppid: SELF,
  pgid: pid,
  sid,
  startTime,
  cpuTicks: 0,
});

test('every zombie libuv did not spawn is reaped, whatever its session or group', (t) => {
  const children = [child(201, 'Z'), child(202, 'Z', 2020, SELF), child(203, 'Z', 2030, 999)];
  t.deepEqual(zombiesToReap({ children, libuv: new Set(), before: new Map() }), {
    reap: [201, 202, 203],
    unexplained: 0,
  });
});

test("a zombie that is an unreaped ChildProcess of the main thread is libuv's: never reaped", (t) => {
  const children = [child(201, 'Z'), child(202, 'Z'), child(203, 'S')];
  t.deepEqual(zombiesToReap({ children, libuv: new Set([201, 203]), before: new Map() }), {
    reap: [202],
    unexplained: 0,
  });
});

test('a child from before corral watched is left alone while it is that process; its pid reused by an orphan is reaped', (t) => {
  const before = new Map([
    [301, 3010],
    [302, 1],
  ]);
  const children = [child(301, 'Z'), child(302, 'Z'), child(303, 'S', 3030)];
  t.deepEqual(
    zombiesToReap({ children, libuv: new Set(), before }),
    { reap: [302], unexplained: 1 },
    '302 started after the record: another process',
  );
});

test('live children that are neither libuv nor from before are counted, not reaped', (t) => {
  const children = [child(401, 'S'), child(402, 'T'), child(403, 'R'), child(404, 'S')];
  t.deepEqual(zombiesToReap({ children, libuv: new Set([404]), before: new Map() }), { reap: [], unexplained: 3 });
});

test('no children, nothing to do', (t) => {
  t.deepEqual(zombiesToReap({ children: [], libuv: new Set([1]), before: new Map([[2, 2]]) }), {
    reap: [],
    unexplained: 0,
  });
});
