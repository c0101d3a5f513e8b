/**
 * cgroup.events: `populated` (any live member in the subtree) and `frozen`.
 * The kernel raises a file-modified event on it whenever either changes, so
 * an inotify watch (fs.watch) tells us at once instead of a poll guessing.
 * The kernel rate-limits these notifications per file (a constant of the
 * kernel's: CGROUP_FILE_NOTIFY_MIN_INTV, HZ/100, in kernel/cgroup/cgroup.c);
 * the early short sleeps of the poll cover the gap (src/driver/poll.ts).
 */
import { watch, type FSWatcher } from 'node:fs';
import { errnoOf } from '../../errors.js';
import { parseKeyedValues, type CgroupFs } from './cgroup-fs.js';

/** Reads cgroup.events; a directory that is gone has nothing in it: not populated, not frozen. */
export async function readEvents(fs: CgroupFs, dir: string): Promise<{ populated: boolean; frozen: boolean }> {
  let text: string;
  try {
    text = await fs.readFile(`${dir}/cgroup.events`);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { populated: false, frozen: false };
    throw error;
  }
  const values = parseKeyedValues(text);
  return { populated: values.get('populated') === 1, frozen: values.get('frozen') === 1 };
}

export function readPopulatedSync(fs: CgroupFs, dir: string): boolean {
  try {
    return parseKeyedValues(fs.readFileSync(`${dir}/cgroup.events`)).get('populated') === 1;
  } catch {
    return false;
  }
}

/**
 * Calls `onChange` on every change notification of cgroup.events. The
 * watcher is unref'd (a wait never keeps Node alive on its own) and closed
 * by the returned function. Without inotify (fs.watch throws: no more
 * watches, a filesystem without notifications) it does nothing and the
 * caller's poll is all there is.
 */
export function watchEvents(dir: string, onChange: () => void): () => void {
  let watcher: FSWatcher;
  try {
    watcher = watch(`${dir}/cgroup.events`, { persistent: false }, () => onChange());
  } catch {
    return () => {};
  }
  // The directory vanishing (rmdir) is reported as an error event: a change, then nothing more to watch.
  watcher.on('error', () => {
    watcher.close();
    onChange();
  });
  watcher.unref();
  return () => watcher.close();
}
