/**
 * The guard process as the library starts it: where it sits, what it holds,
 * and that it never keeps its supervisor alive.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { ProcessGroup } from '../../src/index.js';
import { currentGuardPid } from '../../src/guard/group-guard.js';
import { GUARD_SCRIPT } from '../../src/guard/guard-process.js';
import { readProcStatSync } from '../../src/proc/stat.js';
import { nodeArgs } from '../helpers/node-script.js';
import { assertNoSurvivors, tagFor, waitForTagged } from '../helpers/tagged-processes.js';
import { assertAllGone, makeCgroup, ownCgroupDir, waitUntilRemoved } from './fixtures.js';
import { patience, PATIENCE_MS } from '../helpers/patience.js';

const cgroupParent = ownCgroupDir();
const GENEROUS_MS = PATIENCE_MS;

function v2CgroupOf(pid: number | 'self'): string | undefined {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((line) => line.startsWith('0::'));
}

const O_CLOEXEC = 0o2000000;

/** True when our own `fd` is open without close-on-exec (so exec passes it to any child). */
function inheritedByExec(fd: number): boolean {
  try {
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0;
  } catch {
    return false;
  }
}

test.serial(
  'the guard: own session and process group, cwd /, only PATH and LC_ALL, no fd of ours but its pipe, outside every group',
  async (t) => {
    const tag = tagFor(t);
    const mechanism = cgroupParent ? 'cgroup' : 'pgroup';
    const group = await ProcessGroup.create({
      mechanism,
      ...(cgroupParent ? { cgroupParent: makeCgroup(t, cgroupParent) } : {}),
    });
    t.teardown(() => group.close());
    group.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
    await waitForTagged(tag.tag, 1);
    const pid = currentGuardPid();
    if (pid === undefined) return t.fail('no guard runs');
    const stat = readProcStatSync(pid)!;
    t.is(stat.sid, pid, 'a session of its own: no terminal signal reaches it');
    t.is(stat.pgid, pid, 'a process group of its own: no killpg of a group reaches it');
    t.is(readlinkSync(`/proc/${pid}/cwd`), '/');
    // Node itself adds NODE_V8_COVERAGE to every child while coverage is collected (c8).
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((e) => e.split('=')[0]);
    t.deepEqual(env.filter((name) => name !== 'NODE_V8_COVERAGE').sort(), ['LC_ALL', 'PATH']);
    const fds = readdirSync(`/proc/${pid}/fd`).map(
      (fd) => [Number(fd), readlinkSync(`/proc/${pid}/fd/${fd}`)] as const,
    );
    t.regex(fds.find(([fd]) => fd === 0)?.[1] ?? '', /^(pipe|socket):/, 'stdin is the link to us');
    // Node closes every fd it opened itself (close-on-exec) in a child; an fd we
    // inherited without that flag is passed on to every child by exec, the
    // guard included (dash cannot close fds above 9). Nothing else may be there.
    const others = fds.filter(
      ([fd, target]) => fd !== 0 && target !== '/dev/null' && target !== GUARD_SCRIPT && !inheritedByExec(fd),
    );
    t.deepEqual(others, [], 'only its stdin pipe, /dev/null, its own script, and fds every child of ours inherits');
    t.is(v2CgroupOf(pid), v2CgroupOf('self'), "in the supervisor's own cgroup, not in a group's");
    await group.close();
    assertNoSurvivors(t, tag);
  },
);

test.serial('one guard per supervisor, however many groups', async (t) => {
  const tag = tagFor(t);
  const groups = await Promise.all(Array.from({ length: 5 }, () => ProcessGroup.create({ mechanism: 'pgroup' })));
  t.teardown(() => Promise.all(groups.map((g) => g.close())));
  for (const group of groups) group.spawn('sleep', ['1000'], { env: tag.env, stdio: 'ignore' });
  await waitForTagged(tag.tag, 5);
  const guards = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(GUARD_SCRIPT) &&
          readProcStatSync(Number(pid))?.ppid === process.pid
        );
      } catch {
        return false;
      }
    });
  t.deepEqual(guards.map(Number), [currentGuardPid()]);
  await Promise.all(groups.map((g) => g.close()));
  assertNoSurvivors(t, tag);
});

for (const mechanism of ['cgroup', 'pgroup'] as const) {
  for (const ending of ['close', 'exit'] as const) {
    const run = mechanism === 'cgroup' && !cgroupParent ? test.skip : test;
    const how = ending === 'close' ? 'closes its group and runs dry' : 'calls process.exit() with its group open';
    run(
      `${mechanism}: a supervisor that ${how} is not kept alive by its guard; the guard leaves, nothing is left`,
      async (t) => {
        const tag = tagFor(t);
        const script = new URL('./supervisor/exits-naturally.ts', import.meta.url);
        const parent = mechanism === 'cgroup' ? [makeCgroup(t, cgroupParent!)] : [];
        const { stdout } = await promisify(execFile)(process.execPath, nodeArgs(script, mechanism, ending, ...parent), {
          env: tag.env,
          timeout: patience(60_000),
        });
        const { guardPid, cgroupPath } = JSON.parse(stdout) as { guardPid: number; cgroupPath?: string };
        t.truthy(guardPid);
        t.deepEqual(
          await waitUntilRemoved([`/proc/${guardPid}`, ...(cgroupPath ? [cgroupPath] : [])], GENEROUS_MS),
          [],
          'guard and directory gone',
        );
        await assertAllGone(t, tag);
      },
    );
  }
}
