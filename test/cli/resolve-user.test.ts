/**
 * --user USER[:GROUP] against passwd and group files of the test's own:
 * names and numbers, the default group, and unknown names named together.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMayBecome, resolveUser } from '../../src/cli/run/resolve-user.js';
import { parseRunCommandLine } from '../../src/cli/run/run-flags.js';
import { UsageError } from '../../src/cli/usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'corral-users-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const database = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
writeFileSync(
  database.passwd,
  '# a comment\nroot:x:0:0:root:/root:/bin/sh\nbuilder:x:1500:1600::/home/builder:/bin/sh\n',
);
writeFileSync(database.group, 'root:x:0:\nbuilders:x:1600:builder\nci:x:1700:\n');

test("users and groups by name or number; the group defaults to the user's own", (t) => {
  t.deepEqual(resolveUser('builder', database), { uid: 1500, gid: 1600 });
  t.deepEqual(resolveUser('1500', database), { uid: 1500, gid: 1600 }, 'a known number gets its primary group');
  t.deepEqual(resolveUser('builder:ci', database), { uid: 1500, gid: 1700 });
  t.deepEqual(resolveUser('builder:42', database), { uid: 1500, gid: 42 });
  t.deepEqual(
    resolveUser('4242', database),
    { uid: 4242, gid: 4242 },
    'an unknown number: the group of the same number, never 0',
  );
  t.deepEqual(resolveUser('4242:ci', database), { uid: 4242, gid: 1700 });
});

test('unknown names are one usage error naming all of them; malformed specs are refused', (t) => {
  t.throws(() => resolveUser('nobody-here', database), {
    instanceOf: UsageError,
    message: new RegExp(`--user nobody-here: no such user "nobody-here" in ${database.passwd}`),
  });
  t.throws(() => resolveUser('builder:nogroup-here', database), {
    instanceOf: UsageError,
    message: /no such group "nogroup-here"/,
  });
  t.throws(() => resolveUser('x:y', database), { message: /no such user "x" and no such group "y"/ });
  for (const bad of ['', ':ci', 'builder:', 'a:b:c'])
    t.throws(() => resolveUser(bad, database), { instanceOf: UsageError, message: /USER or USER:GROUP/ });
  t.throws(() => resolveUser('builder', { passwd: join(dir, 'missing'), group: database.group }), {
    message: /no such user "builder"/,
  });
});

test('only root may become somebody else; anyone may "become" themselves', (t) => {
  const self = { uid: process.geteuid!(), gid: process.getegid!() };
  t.notThrows(() => checkMayBecome(self, 'me'));
  if (self.uid === 0) t.notThrows(() => checkMayBecome({ uid: 65534, gid: 65534 }, 'nobody'));
  else
    t.throws(() => checkMayBecome({ uid: 0, gid: 0 }, 'root'), {
      instanceOf: UsageError,
      message: /only root can run a command as another user/,
    });
});

// Here, not with the other flags in pieces.test.ts: who may become whom depends on
// who runs the test, so this file runs as every user of the guest.
test('--user and --no-new-privs become uid, gid and noNewPrivileges', (t) => {
  const { options } = parseRunCommandLine([
    '--user',
    `${process.geteuid!()}:${process.getegid!()}`,
    '--no-new-privs',
    'make',
  ]);
  t.is(options.uid, process.geteuid!());
  t.is(options.gid, process.getegid!());
  t.true(options.noNewPrivileges);
  t.false('noNewPrivileges' in parseRunCommandLine(['make']).options);
});
