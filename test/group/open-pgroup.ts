/**
 * Shared set-up for the ProcessGroup tests on real trees under the
 * process-group mechanism: every group is closed in teardown (so a failing
 * test still kills its tree), every child is tagged.
 */
import type { ExecutionContext } from 'ava';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcessGroup, type CreateOptions } from '../../src/index.js';
import { findTagged, type Tag } from '../helpers/tagged-processes.js';

/** Flip to true once the guard process lands. */
export const GUARD = false;

export async function openPgroup(t: ExecutionContext, options: CreateOptions = {}): Promise<ProcessGroup> {
  const group = await ProcessGroup.create({ mechanism: 'pgroup', guard: GUARD, ...options });
  t.teardown(async () => {
    try {
      await group.close();
    } catch (error) {
      console.error('teardown: close() failed', error);
    }
  });
  return group;
}

/** `sh -c script` in the group, tagged, with no pipes to keep open. */
export function spawnShell(group: ProcessGroup, tag: Tag, script: string, options: SpawnOptions = {}): ChildProcess {
  return group.spawn('sh', ['-c', script], { env: tag.env, stdio: 'ignore', ...options });
}

/** The one-letter state of a process from /proc/<pid>/stat, or undefined once it is gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2);
  } catch {
    return undefined;
  }
}

/** Polls until `check` holds, or throws after `ms` (generous: the machine is shared). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The command name of a process (/proc/<pid>/comm), or undefined once it is gone. */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return undefined;
  }
}

/**
 * Waits until exactly `count` tagged processes are alive and every one has
 * become `sleep`: the shells that set traps or fork have done their work, so
 * the tree is in the shape the test describes.
 */
export async function waitForSleepers(tag: Tag, count: number): Promise<number[]> {
  let pids: number[] = [];
  await eventually(() => {
    pids = findTagged(tag.tag);
    return pids.length === count && pids.every((pid) => commandOf(pid) === 'sleep');
  }, `${count} tagged sleep processes`);
  return pids;
}

export const sorted = (pids: readonly number[]): number[] => [...pids].sort((a, b) => a - b);
