/**
 * The benchmark adopts the orphans of every tree it starts and reaps them.
 *
 * Every contender's tree orphans processes (a flat tree's leader dies first
 * and leaves its sleeps; tree-kill and execa kill parents before children),
 * and an orphan's zombie belongs to whoever adopts it. Where pid 1 reaps
 * lazily (on this sandbox's host, every two seconds or so), hundreds of
 * zombies pile up between its rounds, and every contender that looks at
 * /proc (the killpg floor, corral's fallback, the harness's own checks) pays
 * for reading them: noise that depends on the host's init, not on what is
 * measured. So the benchmark is a child subreaper for its whole run (corral
 * leaves a subreaper it did not switch on alone), and after each trial it
 * reaps the zombie children that cannot be libuv's. libuv's children are in
 * our session, or lead their own (spawn with detached); a process can only
 * leave a session by leading a new one, so a zombie child that is neither
 * was forked below one of our trees, and no ChildProcess waits for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { reapNoHang, setChildSubreaper, subreaperSupported } from '../../src/libc/libc.js';
import { readProcStatSync } from '../../src/proc/stat.js';

/** Become a subreaper for the rest of the run; false where there is none. */
export function adoptOrphans(): boolean {
  return subreaperSupported() && setChildSubreaper(true).errno === undefined;
}

function ownChildren(): number[] {
  const tasks = `/proc/${process.pid}/task`;
  return readdirSync(tasks).flatMap((tid) => {
    try {
      return readFileSync(`${tasks}/${tid}/children`, 'latin1').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

const ownSession = readProcStatSync(process.pid)?.sid;

/** Reap every zombie child that was adopted (see above); returns how many. */
export function reapOrphans(): number {
  if (!subreaperSupported() || ownSession === undefined) return 0;
  let reaped = 0;
  for (const pid of ownChildren()) {
    // The check is on the zombie itself: its pid cannot be handed out again until it is reaped.
    const stat = readProcStatSync(pid);
    if (stat === undefined || stat.state !== 'Z' || stat.sid === pid || stat.sid === ownSession) continue;
    if (reapNoHang(pid).value === pid) reaped += 1;
  }
  return reaped;
}
