/**
 * hermetic() itself: once declared, this worker refuses what would make a
 * file's verdict depend on the machine or the user (and so would make it
 * wrong to run the file once for both users in the guest), and still does
 * everything else a hermetic test needs.
 */
import test from 'ava';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { hermetic, isLiveSystemPath, NotHermeticError } from '../helpers/hermetic.js';

hermetic();

const refused = { instanceOf: NotHermeticError };

test('no process starts, through the default or the named import', (t) => {
  t.throws(() => spawn('true'), refused);
  t.throws(() => spawnSync('true'), refused);
  t.throws(() => execFile('true'), refused);
});

test('no signal is sent, not even the harmless signal 0 to itself', (t) => {
  t.throws(() => process.kill(process.pid, 0), refused);
});

test('the user stays unknown', (t) => {
  t.throws(() => process.getuid!(), refused);
  t.throws(() => process.geteuid!(), refused);
  t.throws(() => process.getgroups!(), refused);
  t.throws(() => userInfo(), refused);
});

test('/proc and /sys are out of reach, sync and async, by string and by URL', async (t) => {
  t.throws(() => readFileSync('/proc/self/cgroup'), refused);
  t.throws(() => existsSync(new URL('file:///sys/fs/cgroup')), refused);
  t.throws(() => writeFileSync('/sys/fs/cgroup/cgroup.procs', '0'), refused);
  t.throws(() => readdir('/proc'), refused);
  t.throws(() => readFile('/proc/self/mountinfo'), refused);
});

test('everything else a hermetic test does still works: temp files, the rest of the file system', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-hermetic-'));
  try {
    writeFileSync(join(dir, 'x'), 'y');
    t.is(readFileSync(join(dir, 'x'), 'utf8'), 'y');
    t.is(await readFile(join(dir, 'x'), 'utf8'), 'y');
    t.true(existsSync(dir));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('only /proc and /sys themselves and what is under them count as live', (t) => {
  for (const path of ['/proc', '/proc/1/stat', '/sys', '/sys/fs/cgroup/x']) t.true(isLiveSystemPath(path), path);
  for (const path of ['/processes', '/system', '/tmp/proc', 'proc/self', '/var/sys'])
    t.false(isLiveSystemPath(path), path);
});
