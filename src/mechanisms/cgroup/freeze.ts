/**
 * cgroup.freeze: write 1 and every member of the subtree stops where it is
 * (no signal, so nothing the program can catch or notice); write 0 and it
 * goes on. The kernel reports the state reached in cgroup.events
 * (`frozen 1`, hierarchical like the freeze itself), which can lag while a
 * member finishes a system call, so the write is followed by a bounded wait
 * for it, woken by the events' inotify notifications.
 */
import type { Clock } from '../../driver/clock.js';
import { poll } from '../../driver/poll.js';
import { failure, freezeTimedOut } from '../../errors.js';
import type { CgroupFs } from './cgroup-fs.js';
import { readEvents, watchEvents } from './cgroup-events.js';

/** How long a freeze or thaw may take to be reported before it is an error. */
export const FREEZE_TIMEOUT_MS = 5000;
const FREEZE_POLL_CEILING_MS = 100;

export async function setFrozen(fs: CgroupFs, dir: string, frozen: boolean, clock: Clock): Promise<void> {
  const what = frozen ? 'freezing' : 'thawing';
  try {
    await fs.writeFile(`${dir}/cgroup.freeze`, frozen ? '1' : '0');
  } catch (error) {
    throw failure('ESIGNAL_FAILED', `${what} ${dir} failed`, error, { path: `${dir}/cgroup.freeze`, syscall: 'write' });
  }
  const reached = await poll(async () => ((await readEvents(fs, dir)).frozen === frozen ? true : undefined), {
    clock,
    deadline: clock.now() + FREEZE_TIMEOUT_MS,
    ceilingMs: FREEZE_POLL_CEILING_MS,
    subscribe: (wake) => watchEvents(dir, wake),
  });
  if (!reached) throw freezeTimedOut(what, dir, FREEZE_TIMEOUT_MS);
}
