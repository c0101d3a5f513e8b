/**
 * A command that daemonizes a helper and exits with a failure, and keeps a
 * record in a directory of how often it ran and whether any run began while
 * an earlier run's helper was still alive: the overlap a supervisor must
 * never allow. The helper is a double fork (reparented away from the
 * leader), so only a group that follows escapees can stop it; a
 * setsid'ed helper is added where the mechanism can follow that too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { chmodSync } from 'node:fs';

/** A fresh world-writable record directory, removed in teardown. */
export function recordDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-supervise-'));
  chmodSync(dir, 0o777);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The shell script: count this run; note an overlap if a helper recorded by
 * an earlier run is alive (a zombie is not: it holds nothing); start the
 * helper(s), recording their pids; then exit `code`.
 */
export function daemonizeThenExit(dir: string, code: number, { setsid = false } = {}): string {
  const alive =
    'for p in $(cat "$d"/helper.* 2>/dev/null); do ' +
    'if [ -e /proc/$p ] && [ "$(cut -d" " -f3 /proc/$p/stat)" != Z ]; then echo "run $n: helper $p alive" >>"$d/overlaps"; fi; done';
  return [
    `d='${dir}'`,
    'n=$(( $(cat "$d/runs" 2>/dev/null || echo 0) + 1 )); echo $n >"$d/runs"',
    alive,
    'rm -f "$d"/helper.*',
    '(sleep 1000 & echo $! >"$d/helper.double")',
    setsid ? '(setsid sleep 1000 & echo $! >"$d/helper.setsid")' : '',
    `exit ${code}`,
  ].join('\n');
}

export interface Record {
  runs: number;
  overlaps: string;
}

export function readRecord(dir: string): Record {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  return { runs: Number(read('runs').trim() || 0), overlaps: read('overlaps') };
}
