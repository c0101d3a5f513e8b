/**
 * When cgroup v2 is out of reach, 'auto' falls back to process groups and
 * says why; mechanism 'cgroup' throws ECGROUP_UNAVAILABLE. Proven for real
 * in a child process: cgroup2 unmounted and remounted read-only inside a
 * private mount namespace (unshare -m; the host's mounts are untouched),
 * and as an unprivileged user without delegation. Plus the seams: a
 * cgroupParent that is not a cgroup2 directory, a mount table without cgroup2.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hostContainment, ProcessGroup, type HostContainment } from '../../src/index.js';
import { createCgroupContainment } from '../../src/mechanisms/cgroup/cgroup-containment.js';
import { nodeArgs } from '../helpers/node-script.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { asNobody, FIXTURE_TIMEOUT_MS, NOBODY, REPO, requireCgroup } from './cgroup-kit.js';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/cgroup-probe.ts', import.meta.url);

interface ProbeResult {
  host: HostContainment;
  auto: { mechanism: string; fallbackReason?: string; cgroupPath?: string };
  cgroupError?: { code?: string; message: string };
}

async function probe(env: NodeJS.ProcessEnv, wrapper: string[], shellPrefix = ''): Promise<ProbeResult> {
  const node = `${shellPrefix}exec "$0" "$@"`;
  const { stdout } = await run(
    wrapper[0]!,
    [...wrapper.slice(1), 'sh', '-c', node, process.execPath, ...nodeArgs(FIXTURE)],
    {
      env,
      cwd: REPO,
      timeout: FIXTURE_TIMEOUT_MS,
    },
  );
  return JSON.parse(stdout) as ProbeResult;
}

function assertFellBack(t: import('ava').ExecutionContext, result: ProbeResult, reason: RegExp): void {
  t.is(result.auto.mechanism, 'pgroup');
  t.regex(result.auto.fallbackReason ?? '', reason);
  t.is(result.cgroupError?.code, 'ECGROUP_UNAVAILABLE');
  t.regex(result.cgroupError?.message ?? '', reason);
  t.is(result.host.mechanism, 'pgroup', 'hostContainment() predicted the fallback');
  t.false(result.host.writable);
}

/**
 * A private mount namespace: as root a plain one; otherwise one inside a user
 * namespace (unshare -r), where inherited mounts are locked: they cannot be
 * unmounted, only covered or made read-only.
 */
const asRoot = process.getuid?.() === 0;
const privateMounts = asRoot ? ['unshare', '-m'] : ['unshare', '-r', '-m'];

test('cgroup2 not mounted (private mount namespace): auto falls back, cgroup throws', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const mount = hostContainment().cgroup2Mount!;
  const hide = asRoot ? `umount '${mount}'` : `mount -t tmpfs none '${mount}'`;
  const result = await probe(tag.env, privateMounts, `${hide} && `);
  assertFellBack(t, result, /no cgroup2 filesystem is mounted/);
  t.is(result.host.cgroup2Mount, undefined);
  t.not(result.host.layout, 'unified');
  assertNoSurvivors(t, tag);
});

test('cgroup2 mounted read-only (private mount namespace): auto falls back, cgroup throws', async (t) => {
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const mount = hostContainment().cgroup2Mount!;
  const result = await probe(tag.env, privateMounts, `mount -o remount,bind,ro '${mount}' && `);
  assertFellBack(t, result, /read-only/);
  t.true(result.host.cgroup2ReadOnly);
  assertNoSurvivors(t, tag);
});

test('an unprivileged user without delegation: auto falls back, cgroup throws', async (t) => {
  if (!(await requireCgroup(t))) return;
  if (process.getuid?.() !== 0) {
    t.pass('already unprivileged: the delegated-user test covers this user');
    return;
  }
  const tag = tagFor(t);
  const nobody = asNobody(t, FIXTURE);
  const { stdout } = await run(nobody.file, nobody.args, {
    env: tag.env,
    cwd: nobody.cwd,
    timeout: FIXTURE_TIMEOUT_MS,
  });
  const result = JSON.parse(stdout) as ProbeResult;
  assertFellBack(t, result, /EACCES|not writable|permission denied/i);
  t.is(result.host.uid, NOBODY);
  assertNoSurvivors(t, tag);
});

test('a cgroupParent that is not a cgroup2 directory: auto falls back with the reason, cgroup throws', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'corral-not-a-cgroup-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

  const auto = await ProcessGroup.create({ guard: false, cgroupParent: scratch });
  t.teardown(() => auto.close());
  t.is(auto.mechanism, 'pgroup');
  t.regex(auto.fallbackReason ?? '', new RegExp(`cgroupParent ${scratch} is not a directory of a mounted cgroup2`));
  const error = await t.throwsAsync(ProcessGroup.create({ mechanism: 'cgroup', guard: false, cgroupParent: scratch }));
  t.is((error as { code?: string }).code, 'ECGROUP_UNAVAILABLE');
  const limited = await t.throwsAsync(
    ProcessGroup.create({ guard: false, cgroupParent: scratch, limits: { pids: 10 } }),
  );
  t.is((limited as { code?: string }).code, 'ELIMIT_UNENFORCEABLE', 'limits never fall back silently');
});

test('a mount table without cgroup2 (seam): ECGROUP_UNAVAILABLE, and hostContainment agrees', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'corral-proc-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const procSources = { mountinfo: join(scratch, 'mountinfo'), selfCgroup: join(scratch, 'cgroup') };
  writeFileSync(
    procSources.mountinfo,
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n32 31 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n',
  );
  writeFileSync(procSources.selfCgroup, '1:pids:/\n');

  const error = await t.throwsAsync(createCgroupContainment({ parent: undefined, limits: undefined, procSources }));
  t.is((error as { code?: string }).code, 'ECGROUP_UNAVAILABLE');
  t.regex((error as Error).message, /no cgroup2 filesystem is mounted.*legacy/);
  const host = hostContainment({ procSources });
  t.is(host.mechanism, 'pgroup');
  t.is(host.layout, 'legacy');
  t.is(host.reason, (error as Error).message);
});
