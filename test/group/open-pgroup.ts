/**
 * Shared set-up for the ProcessGroup tests on real trees under the
 * process-group mechanism: every group is closed in teardown (so a failing
 * test still kills its tree), every child is tagged.
 */
import type { ExecutionContext } from 'ava';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcessGroup, type CreateOptions } from '../../src/index.js';
import { KILL_TIMEOUT_MS } from '../helpers/patience.js';
import { eventually, waitForSettled } from '../helpers/settle.js';
import type { Tag } from '../helpers/tagged-processes.js';

export { eventually, waitForSettled as waitForSleepers };

/** The groups run with the guard, as users get them by default. */
export const GUARD = true;

export async function openPgroup(t: ExecutionContext, options: CreateOptions = {}): Promise<ProcessGroup> {
  const group = await ProcessGroup.create({
    mechanism: 'pgroup',
    guard: GUARD,
    killTimeout: KILL_TIMEOUT_MS,
    ...options,
  });
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

/** The command name of a process (/proc/<pid>/comm), or undefined once it is gone. */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return undefined;
  }
}

export const sorted = (pids: readonly number[]): number[] => [...pids].sort((a, b) => a - b);
