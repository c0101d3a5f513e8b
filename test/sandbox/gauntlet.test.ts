/**
 * The gauntlet (gauntlet.sh): a hostile build run the way docs/sandboxing.md
 * says, `corral run --user nobody --no-new-privs [--pids 64 --memory 256M]
 * --timeout ... -- sh gauntlet.sh`, by a real corral process running as
 * root. Each attempt's outcome is asserted: it cannot leave its group, make
 * a sub-group, raise its limits, signal the supervisor or the guard, or
 * regain privileges through a setuid program; its daemons, its SIGTERM
 * ignorer and its stopped child are all gone at the end, and so is its
 * cgroup directory. Where limits are enforceable (the pure cgroup-v2 guest,
 * CORRAL_EXPECT_LIMITS=1) also: its memory hog is OOM-killed inside the
 * group and its fork bomb held at pids.max. Needs root (only root can run a
 * build as another user); the guest's non-root pass says so and skips.
 */
import test from 'ava';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostContainment } from '../../src/index.js';
import { eventually } from '../helpers/settle.js';
import { assertNoSurvivors, tagFor } from '../helpers/tagged-processes.js';
import { limitsExpected, NOBODY, requireCgroup } from '../cgroup/cgroup-kit.js';
import { jsonReport, startCorral } from '../cli/corral-cli.js';

const enforceable = limitsExpected || hostContainment().limits.enforceable;
const PIDS_MAX = 64;

/** The gauntlet's "attempt outcome" lines, keyed by attempt (a repeated attempt keeps every outcome). */
function outcomes(stdout: string): Map<string, string[]> {
  const lines = new Map<string, string[]>();
  for (const line of stdout.trim().split('\n')) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    lines.set(key, [...(lines.get(key) ?? []), space < 0 ? '' : line.slice(space + 1)]);
  }
  return lines;
}

/**
 * A setuid-root copy of `id` where the gauntlet can reach it: it prints
 * euid=0 when setuid works, which a control run without no_new_privs must
 * show first (a nosuid /tmp would make the check meaningless).
 */
function setuidId(dir: string): { path: string; works: boolean } {
  const path = join(dir, 'id-setuid');
  copyFileSync('/usr/bin/id', path);
  chmodSync(path, 0o4755);
  const control = execFileSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', path], {
    encoding: 'utf8',
  });
  return { path, works: /euid=0\b/.test(control) };
}

test('the gauntlet: a hostile build as nobody with --no-new-privs cannot get out, and nothing of it is left', async (t) => {
  if (process.getuid?.() !== 0) {
    t.log(`skipped: --user nobody needs a root supervisor (running as uid ${process.getuid?.()})`);
    t.pass();
    return;
  }
  if (!(await requireCgroup(t))) return;
  const tag = tagFor(t);
  const dir = mkdtempSync(join(tmpdir(), 'corral-gauntlet-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const script = join(dir, 'gauntlet.sh');
  copyFileSync(join(import.meta.dirname, 'gauntlet.sh'), script);
  const setuid = setuidId(dir);
  if (!setuid.works)
    t.log(
      `the setuid attempt is left out: a setuid copy of id in ${dir} does not gain euid 0 even without no_new_privs (nosuid?)`,
    );

  const limits = enforceable ? ['--pids', String(PIDS_MAX), '--memory', '256M'] : [];
  // The gauntlet ends on its own in a second or two here; the TCG guest is far slower.
  const timeout = process.env.CORRAL_VM ? '200s' : '10s';
  const args = [
    'run',
    '--user',
    'nobody',
    '--no-new-privs',
    ...limits,
    '--timeout',
    timeout,
    '--mechanism',
    'cgroup',
    '--json',
    '--',
    'sh',
    script,
  ];
  const env = { GAUNTLET_LIMITS: enforceable ? '1' : '0', GAUNTLET_SETUID: setuid.works ? setuid.path : '' };
  const running = startCorral(args, { ...tag, env: { ...tag.env, ...env } });
  running.child.stdin!.end();
  const outcome = await running.done;
  const report = jsonReport(outcome);
  const seen = outcomes(outcome.stdout);
  const one = (key: string) => seen.get(key)?.[0];
  t.log(outcome.stdout);

  // The supervisor was never harmed and exited normally, with the build's status, before any timeout.
  t.is(outcome.status, 0, outcome.stderr);
  t.false(report.timedOut);
  t.is(one('done'), '', 'the gauntlet ran to its end');
  t.is(one('supervisor'), String(running.child.pid));

  // Its group: it could neither leave it nor change it.
  const group = one('group')!;
  t.regex(group, /\/corral-\d+-/);
  t.true(Number(one('escape-attempts')) >= 1);
  t.is(one('tried-root'), 'yes', "the root's cgroup.procs was tried");
  t.is(one('tried-parent'), 'yes', "the group parent's cgroup.procs was tried");
  t.is(one('escaped'), '0');
  t.is(one('still-in'), group);
  t.is(one('sub-cgroup'), 'refused');
  t.is(one('raise-pids.max'), 'refused');
  t.is(one('raise-memory.max'), 'refused');

  // The supervisor and its guard: SIGKILL and the probe both refused (EPERM), so both alive.
  const guards = (one('guards') ?? '').split(' ').filter(Boolean);
  t.is(guards.length, 1, 'the guard was found');
  for (const target of [...guards, String(running.child.pid)]) {
    const results = [...(seen.get('signal') ?? []), ...(seen.get('probe') ?? [])].filter((line) =>
      line.startsWith(`${target} `),
    );
    t.is(results.length, 2);
    for (const result of results) t.regex(result, /Operation not permitted/);
  }

  // No new privileges: setuid programs run as nobody.
  if (setuid.works) {
    t.regex(one('setuid-id')!, new RegExp(`^uid=${NOBODY}\\b`));
    t.notRegex(one('setuid-id')!, /euid=/);
  }
  if (one('sudo') === 'absent') t.log('the sudo attempt is left out: sudo is not installed here');
  else t.regex(one('sudo')!, /no new privileges|effective uid is not 0/i);

  if (enforceable) {
    t.is(one('hog-exit'), '137', 'the memory hog was SIGKILLed');
    t.true(Number(one('oom-kills')) >= 1, 'by the OOM killer, inside its group');
    t.true(Number(one('pids-max-hits')) >= 1, 'the fork bomb hit pids.max');
    t.true(Number(one('pids-current')) <= PIDS_MAX);
  }

  // The daemons, the SIGTERM ignorer and the stopped child were leftovers, and were stopped.
  t.is(one('ignorer'), 'trapped', 'the ignorer had set its trap before the build ended');
  t.true(report.leftovers.length >= 4, `leftovers: ${report.leftovers.length}`);
  t.true(report.report.escalated, 'the SIGTERM ignorer needed SIGKILL');
  assertNoSurvivors(t, tag);
  t.false(existsSync(group), 'no directory remains');
  // The guard, never touched, ends on its own once the supervisor is gone.
  await eventually(() => !existsSync(`/proc/${guards[0]}`), 'the guard exited after the supervisor');
});
