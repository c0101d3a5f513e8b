/**
 * Changes under the watched paths, from chokidar. Chosen over Node's own
 * recursive fs.watch because on Node 20 and 22 (Linux) that one misses a
 * change inside a directory that was renamed while watched, which editors
 * and build tools do; see docs/supervision.md for the measurement.
 * node_modules and .git are not watched (as nodemon does not).
 */

export interface ChangeWatcher {
  /** `listener` hears of every change, with the path that changed. */
  onChange(listener: (path: string) => void): void;
  close(): Promise<void>;
}

const IGNORED = /(^|\/)(node_modules|\.git)(\/|$)/;

/** Watches `paths` (files or directories, recursively); resolves after the first scan: no later change is missed. */
export async function watchPaths(paths: readonly string[]): Promise<ChangeWatcher> {
  // Loaded here, not at the top: `corral run` without --watch must not pay for it
  // (the CLI bundle keeps packages external).
  const { watch } = await import('chokidar');
  const watcher = watch([...paths], { ignoreInitial: true, ignored: (path) => IGNORED.test(path) });
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', () => resolve());
    watcher.once('error', reject);
  });
  return {
    onChange(listener) {
      watcher.on('all', (_event, path) => listener(path));
    },
    close: () => watcher.close(),
  };
}
