/**
 * The systemd scope for real, in the pure cgroup-v2 guest of test-vm/ (env
 * CORRAL_VM=1), run as root: the scenarios run as `vagrant` started by
 * runuser, so in root's cgroup, which vagrant may not write, while vagrant's
 * user manager runs (linger). corral must get a delegated scope from that
 * manager by itself, unwrapped: the escape zoo leaves nothing, limits bite,
 * a SIGKILLed supervisor leaves nothing (not even its scope), and
 * hostContainment() and `corral doctor` say so beforehand. `nobody`, who has
 * no manager, gets the fallback at once, with the reason. Elsewhere
 * (no systemd, not root, not the guest) the tests are skipped, saying why.
 */
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { zooScript, zooSize, escapees, LONG_SLEEP } from '../helpers/escape-zoo.js';
import { eventually, isSettled, SETTLE_MS } from '../helpers/settle.js';
import { assertNoSurvivors, findTagged, tagFor, type Tag } from '../helpers/tagged-processes.js';
import { FIXTURE_TIMEOUT_MS, NOBODY, REPO } from './cgroup-kit.js';
import { nodeArgsInRepo } from '../helpers/node-script.js';
import { asAnotherUser } from '../helpers/as-another-user.js';
import { CORRAL_MAIN } from '../cli/corral-cli.js';

/** corral itself: run as the built CLI (corral-cli.ts says which build). */
const CLI = 'src/cli/main.ts';
const BUILT_CLI = CORRAL_MAIN.slice(REPO.length + 1);

const run = promisify(execFile);
const VAGRANT_UID = 1000;
const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path));
const USER_BUS = `/run/user/${VAGRANT_UID}/bus`;
const SCOPE_NAME = /^corral-\d+-[0-9a-f]+\.scope$/;

function whyNot(): string | undefined {
  if (process.env.CORRAL_VM !== '1') return 'only in the test-vm guest (CORRAL_VM=1)';
  if (process.getuid?.() !== 0) return 'needs root, to start the scenarios as vagrant and nobody';
  if (!existsSync('/run/systemd/system')) return 'systemd is not running';
  if (RUNUSER === undefined) return 'no runuser';
  if (!existsSync(USER_BUS)) return `vagrant's user manager has no bus at ${USER_BUS} (linger?)`;
  return undefined;
}
const skipReason = whyNot();
const vmTest = (title: string, body: (t: ExecutionContext) => Promise<void>) =>
  skipReason === undefined ? test.serial(title, body) : test.skip(`${title} (skipped: ${skipReason})`, body);

/**
 * The command that runs `node <file> ...args` from the checkout (the built
 * CLI for src/cli/main.ts; a fixture in the suite's own form, see node-script.ts)
 * as `who`: vagrant through runuser (no login: no XDG_RUNTIME_DIR, no
 * session bus address, root's cgroup), nobody through setpriv. See
 * asAnotherUser for the view of the checkout and of Node it runs in.
 */
function asUser(
  t: ExecutionContext,
  who: 'vagrant' | 'nobody',
  file: string,
  args: string[],
): { file: string; args: string[] } {
  const drop =
    who === 'vagrant' ? `"${RUNUSER}" -u vagrant --` : `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups`;
  const script =
    file === CLI ? { loader: [], relative: BUILT_CLI } : nodeArgsInRepo(new URL(`../../${file}`, import.meta.url));
  return asAnotherUser(t, { drop, ...script, args });
}

function userEnv(tag: Tag): NodeJS.ProcessEnv {
  const env = { ...tag.env };
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'CORRAL_NO_SYSTEMD_SCOPE']) delete env[name];
  return env;
}

async function runAs(t: ExecutionContext, who: 'vagrant' | 'nobody', tag: Tag, file: string, args: string[]) {
  const command = asUser(t, who, file, args);
  return run(command.file, command.args, { env: userEnv(tag), cwd: REPO, timeout: FIXTURE_TIMEOUT_MS }).catch(
    (error: { stdout?: string; stderr?: string; code?: number }) => {
      // corral run passes the command's status on; its --json report is on stderr either way.
      if (typeof error.code === 'number')
        return { stdout: error.stdout ?? '', stderr: error.stderr ?? '', status: error.code };
      throw error;
    },
  );
}

function lastJson(text: string): Record<string, any> {
  const lines = text.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, any>;
}

/** The unit's cgroup directory under vagrant's manager, where systemd puts it (app.slice, or elsewhere below the manager). */
function scopeDirectoryOf(cgroup: string): string {
  return join('/sys/fs/cgroup', cgroup.replace(/\/corral-supervisor$/, ''));
}

vmTest('vagrant, unwrapped: hostContainment() predicts the scope, create() moves into it, doctor agrees', async (t) => {
  const tag = tagFor(t);
  const { stdout } = await runAs(t, 'vagrant', tag, 'test/fixtures/systemd-scope-probe.ts', []);
  const probe = lastJson(stdout);
  t.is(probe.uid, VAGRANT_UID);
  t.false(probe.before.writable, "vagrant may not write root's cgroup");
  t.is(probe.before.mechanism, 'cgroup');
  t.like(probe.before.cgroupOrigin, { kind: 'systemd-scope', manager: 'user', bus: `unix:path=${USER_BUS}` });
  t.is(probe.mechanism, 'cgroup', `fallbackReason: ${probe.fallbackReason}`);
  t.like(probe.cgroupOrigin, { kind: 'systemd-scope', manager: 'user' });
  t.regex(probe.cgroupOrigin.unit, SCOPE_NAME);
  t.true(
    probe.ownCgroupAfter.startsWith(`/user.slice/user-${VAGRANT_UID}.slice/user@${VAGRANT_UID}.service/`),
    probe.ownCgroupAfter,
  );
  t.true(probe.ownCgroupAfter.endsWith(`/${probe.cgroupOrigin.unit}`));
  t.true(probe.cgroupPath.startsWith(`${scopeDirectoryOf(probe.ownCgroupAfter)}/corral-`));
  t.true(probe.after.writable, 'in its scope, the own cgroup is writable');
  t.like(probe.after.cgroupOrigin, { kind: 'systemd-scope', unit: probe.cgroupOrigin.unit });
  t.log(`create() with the scope took ${Math.round(probe.createMs)} ms; scope ${probe.cgroupOrigin.unit}`);

  const doctor = await runAs(t, 'vagrant', tag, CLI, ['doctor', '--json']);
  const report = JSON.parse(doctor.stdout) as Record<string, any>;
  t.is(report.host.mechanism, 'cgroup');
  t.like(report.host.cgroupOrigin, { kind: 'systemd-scope', manager: 'user' });
  t.is(report.auto.mechanism, 'cgroup');
  t.like(report.auto.cgroupOrigin, { kind: 'systemd-scope', manager: 'user' });
  t.is(report.fix, null, 'nothing to wrap, nothing to fix');
  assertNoSurvivors(t, tag);
});

vmTest('vagrant, unwrapped: corral run of the escape zoo leaves 0 survivors, with mechanism cgroup', async (t) => {
  const tag = tagFor(t);
  // The leader starts every escapee and exits: corral must then find and stop them all.
  const script = Object.values(escapees).join('\n');
  const outcome = await runAs(t, 'vagrant', tag, CLI, ['run', '--json', '--grace', '1s', '--', 'sh', '-c', script]);
  const report = lastJson(outcome.stderr);
  t.is(report.mechanism, 'cgroup', `fallbackReason: ${report.fallbackReason}`);
  t.like(report.cgroupOrigin, { kind: 'systemd-scope', manager: 'user' });
  t.regex(report.cgroupOrigin.unit, SCOPE_NAME);
  t.is(report.status, 0);
  assertNoSurvivors(t, tag);
});

vmTest('vagrant, unwrapped: corral run --pids 20 --memory 256M enforces both limits', async (t) => {
  const tag = tagFor(t);
  // No fork may be needed once the pids limit is reached: perl forks, and sh reads with builtins.
  const script = [
    'cg=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)',
    'read p < "$cg/pids.max"; read m < "$cg/memory.max"; echo "limits $p $m"',
    `perl -e '$x = "x" x (600 * 1024 * 1024); print "allocated\\n"'; echo "perl status $?"`,
    `perl -e 'my $n = 0; for (1 .. 40) { my $pid = fork; last unless defined $pid; if ($pid == 0) { sleep 1000; exit 0 } $n++ } print "forked $n\\n"'`,
  ].join('\n');
  const outcome = await runAs(t, 'vagrant', tag, CLI, [
    'run',
    '--json',
    '--pids',
    '20',
    '--memory',
    '256M',
    '--',
    'sh',
    '-c',
    script,
  ]);
  const report = lastJson(outcome.stderr);
  t.is(report.mechanism, 'cgroup', `fallbackReason: ${report.fallbackReason}`);
  t.like(report.cgroupOrigin, { kind: 'systemd-scope', manager: 'user' });
  t.regex(outcome.stdout, /^limits 20 268435456$/m);
  t.notRegex(outcome.stdout, /^allocated$/m, 'the 600 MiB allocation did not fit under memory.max');
  t.regex(outcome.stdout, /^perl status 137$/m, 'the OOM killer ended it (SIGKILL)');
  const forked = Number(/^forked (\d+)$/m.exec(outcome.stdout)?.[1]);
  t.true(forked > 0 && forked < 20, `forked ${forked}: pids.max stopped the forks`);
  assertNoSurvivors(t, tag);
});

vmTest('vagrant, unwrapped: a SIGKILLed supervisor leaves nothing, not even its scope', async (t) => {
  const tag = tagFor(t);
  const command = asUser(t, 'vagrant', CLI, ['run', '--', 'sh', '-c', zooScript()]);
  const child = execFile(command.file, command.args, { env: userEnv(tag), cwd: REPO });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const zoo = zooSize();
  await eventually(
    () => findTagged(tag.tag).filter((pid) => isSettled(pid) && isZooMember(pid)).length === zoo,
    'the escape zoo is up',
    SETTLE_MS,
    tag,
  );
  const supervisor = findTagged(tag.tag).find(
    (pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(BUILT_CLI) && uidOf(pid) === VAGRANT_UID,
  );
  t.truthy(supervisor, 'the corral process');
  const cgroup = /^0::(.*)$/m.exec(readFileSync(`/proc/${supervisor}/cgroup`, 'utf8'))![1]!;
  const unit = cgroup.split('/').find((part) => SCOPE_NAME.test(part));
  t.truthy(unit, `corral runs in its own scope (${cgroup})`);
  const scopeDir = join('/sys/fs/cgroup', cgroup.slice(0, cgroup.indexOf(unit!) + unit!.length));
  process.kill(supervisor!, 'SIGKILL');
  await exited;
  await eventually(() => findTagged(tag.tag).length === 0, 'the guard killed the tree');
  await eventually(() => !existsSync(scopeDir), `systemd removed the emptied scope ${scopeDir}`);
  assertNoSurvivors(t, tag);
});

vmTest('nobody, with no systemd manager: a prompt fallback with the reason, as predicted', async (t) => {
  const tag = tagFor(t);
  const { stdout } = await runAs(t, 'nobody', tag, 'test/fixtures/systemd-scope-probe.ts', []);
  const probe = lastJson(stdout);
  t.is(probe.uid, NOBODY);
  t.is(probe.mechanism, 'pgroup');
  t.regex(
    probe.fallbackReason,
    /; no delegated systemd scope either: no systemd user manager's bus is reachable for uid 65534 \(.*\/run\/user\/65534\/bus does not exist\)/,
  );
  t.is(probe.before.mechanism, 'pgroup');
  t.regex(
    probe.before.reason,
    /; no delegated systemd scope either: no systemd user manager's bus is reachable for uid 65534/,
  );
  t.true(probe.createMs < 5000, `create() took ${probe.createMs} ms`);
  t.log(`nobody's fallback took ${Math.round(probe.createMs)} ms`);
  const doctor = JSON.parse((await runAs(t, 'nobody', tag, CLI, ['doctor', '--json'])).stdout) as Record<string, any>;
  t.is(doctor.host.mechanism, 'pgroup');
  t.is(doctor.auto.mechanism, 'pgroup');
  t.regex(doctor.auto.reason, /no delegated systemd scope either/);
  assertNoSurvivors(t, tag);
});

function uidOf(pid: number): number {
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
}

function isZooMember(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    return cmdline.includes(LONG_SLEEP.split(' ')[1]!);
  } catch {
    return false;
  }
}
