/**
 * cgroup.freeze: write 1 and every member stops where it is (no signal, so
 * nothing the program can catch or notice); write 0 and it goes on. The
 * kernel reports the state reached in cgroup.events (`frozen 1`), which can
 * lag while a member finishes a system call, so the write is followed by a
 * bounded wait for it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CorralError } from '../../errors.js';
import type { CgroupFs } from './cgroup-fs.js';
import { readEvents, watchEvents } from './cgroup-events.js';

/** How long a freeze or thaw may take to be reported before it is an error. */
export const FREEZE_TIMEOUT_MS = 5000;

export async function setFrozen(fs: CgroupFs, dir: string, frozen: boolean, timeoutMs = FREEZE_TIMEOUT_MS): Promise<void> {
  await fs.writeFile(`${dir}/cgroup.freeze`, frozen ? '1' : '0');
  if (await waitForFrozenState(fs, dir, frozen, timeoutMs)) return;
  throw new CorralError(
    'ESIGNAL_FAILED',
    `${frozen ? 'freezing' : 'thawing'} ${dir} was not reported done in cgroup.events within ${timeoutMs} ms`,
    { path: `${dir}/cgroup.freeze` },
  );
}

/** Resolves true once cgroup.events shows `frozen` as wanted, false after `timeoutMs`. */
async function waitForFrozenState(fs: CgroupFs, dir: string, frozen: boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let wake: (() => void) | undefined;
  const unwatch = watchEvents(dir, () => wake?.());
  try {
    let interval = 1;
    for (;;) {
      if ((await readEvents(fs, dir)).frozen === frozen) return true;
      if (performance.now() >= deadline) return false;
      const controller = new AbortController();
      wake = () => controller.abort();
      await delay(interval, undefined, { signal: controller.signal }).catch(() => {});
      interval = Math.min(interval * 2, 100);
    }
  } finally {
    unwatch();
  }
}
