/**
 * spawn() with `uid`/`gid`, under both mechanisms: the child runs as that
 * user with the supplementary groups dropped (as Node drops them), and it is
 * a member of the group all the same: under cgroup the parent places it,
 * so the child needs no right in the cgroup tree, and as an unprivileged
 * member it can neither leave its group nor make sub-groups in it. Needs
 * root (only root can spawn as another user); the guest's non-root pass
 * says so and skips.
 */
import test, { type ExecutionContext } from 'ava';
import { dirname } from 'node:path';
import { hostContainment, type ProcessGroup } from '../../src/index.js';
import { assertNoSurvivors, tagFor, type Tag } from '../helpers/tagged-processes.js';
import { cgroupName, exited, isDirectory, NOBODY, openCgroup, requireCgroup } from '../cgroup/cgroup-kit.js';
import { openPgroup } from '../group/open-pgroup.js';

const asRoot = process.getuid?.() === 0;

function rootOnly(t: ExecutionContext): boolean {
  if (asRoot) return true;
  t.log(`skipped: only root can spawn as another user (running as uid ${process.getuid?.()})`);
  t.pass();
  return false;
}

/** Runs `script` as nobody in the group; resolves with its stdout and exit status. */
async function runAsNobody(group: ProcessGroup, tag: Tag, script: string, env: Record<string, string> = {}) {
  const child = group.spawn('sh', ['-c', script], {
    env: { ...tag.env, ...env },
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const status = await exited(child);
  return { out, status, pid: child.pid };
}

const IDENTITY = 'echo "uid $(id -u) gid $(id -g) groups $(id -G)"; ';

test('cgroup: a child spawned as nobody runs in the group, without supplementary groups, and can neither leave nor make sub-groups', async (t) => {
  if (!rootOnly(t) || !(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const group = await openCgroup(t);
  const dir = group.cgroupPath!;
  const mount = hostContainment().cgroup2Mount!;
  const script =
    IDENTITY +
    'grep "^0::" /proc/self/cgroup; ' +
    'for target in "$PARENT" "$ROOT"; do if echo $$ 2>/dev/null > "$target/cgroup.procs"; then echo "left to $target"; else echo "stayed"; fi; done; ' +
    'grep "^0::" /proc/self/cgroup; ' +
    'if mkdir "$GROUP/sub" 2>/dev/null; then echo "made a sub-group"; else echo "no sub-group"; fi';

  const { out, status } = await runAsNobody(group, tag, script, { PARENT: dirname(dir), ROOT: mount, GROUP: dir });

  t.is(status.code, 0, out);
  const inGroup = `0::${cgroupName(dir)}`;
  t.deepEqual(out.trim().split('\n'), [
    `uid ${NOBODY} gid ${NOBODY} groups ${NOBODY}`,
    inGroup,
    'stayed',
    'stayed',
    inGroup,
    'no sub-group',
  ]);
  t.false(isDirectory(`${dir}/sub`));
  await group.close();
  t.false(isDirectory(dir), 'the directory is gone');
  assertNoSurvivors(t, tag);
});

test('pgroup: a child spawned as nobody leads its own process group, without supplementary groups, and dies with the group', async (t) => {
  if (!rootOnly(t)) return;
  const tag = tagFor(t);
  const group = await openPgroup(t);
  // It reports, then lingers in the background: close() must reach a tree that belongs to another user.
  const script = `${IDENTITY}echo "pgid $(ps -o pgid= -p $$ | tr -d ' ')"; sleep 1000 & exec sleep 1000`;
  const child = group.spawn('sh', ['-c', script], {
    env: tag.env,
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = await new Promise<string[]>((resolve) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.split('\n').length > 2) resolve(out.trim().split('\n'));
    });
  });
  const gone = exited(child);

  t.deepEqual(lines, [`uid ${NOBODY} gid ${NOBODY} groups ${NOBODY}`, `pgid ${child.pid}`]);
  await group.close();
  t.is((await gone).signal, 'SIGKILL');
  assertNoSurvivors(t, tag);
});
