/**
 * The independent check that a tree is really gone: the members recorded
 * before the teardown (pid plus start time, so a recycled pid cannot pass
 * for a survivor) are each either gone from /proc or a zombie.
 */
import { readFileSync } from 'node:fs';
import { readProcStatSync } from '../../src/proc/stat.js';
import { findTagged } from '../../test/helpers/tagged-processes.js';

export interface Member {
  pid: number;
  startTime: number;
}

export function recordMembers(pids: readonly number[]): Member[] {
  const members: Member[] = [];
  for (const pid of pids) {
    const stat = readProcStatSync(pid);
    if (stat && stat.state !== 'Z') members.push({ pid, startTime: stat.startTime });
  }
  return members;
}

export function isGone(member: Member): boolean {
  const stat = readProcStatSync(member.pid);
  return stat === undefined || stat.state === 'Z' || stat.startTime !== member.startTime;
}

export function allGone(members: readonly Member[]): boolean {
  return members.every(isGone);
}

function isSleep(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1') === 'sleep\n';
  } catch {
    return false;
  }
}

/**
 * Waits until `sleeps` processes bearing `tag` run `sleep` (the whole tree
 * is up) and records every tagged process. Counting only the sleeps matters:
 * a shell that bears the tag may not have entered its container yet (a shim
 * writes itself into cgroup.procs before it execs), and a teardown timed
 * then would race the tree's own start.
 */
export async function waitForTree(tag: string, sleeps: number, ms = 30_000): Promise<Member[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = findTagged(tag);
    if (found.filter(isSleep).length >= sleeps) return recordMembers(found);
    if (Date.now() > deadline)
      throw new Error(`only ${found.filter(isSleep).length} of ${sleeps} sleeps of the tree appeared within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, sleeps > 100 ? 25 : 10));
  }
}
