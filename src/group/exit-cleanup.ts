/**
 * Exit cleanup: when Node exits (normally, by process.exit(), or through an
 * uncaught exception) every open group that has not stood down is killed
 * synchronously: 'exit' listeners cannot wait for promises. Death by a
 * signal that runs no JavaScript (SIGKILL, OOM) is the guard's job.
 */
export interface ExitCleanupEntry {
  /** True when the group's disposal must spare the tree (the skipDropKill latch). */
  spare(): boolean;
  killSync(): void;
}

const open = new Set<ExitCleanupEntry>();
let installed = false;

function onExit(): void {
  for (const entry of open) {
    if (entry.spare()) continue;
    try {
      entry.killSync();
    } catch {
      // Exiting: nothing is left to report to, and other groups still need killing.
    }
  }
  open.clear();
}

export function registerForExitCleanup(entry: ExitCleanupEntry): void {
  if (!installed) {
    process.on('exit', onExit);
    installed = true;
  }
  open.add(entry);
}

export function unregisterFromExitCleanup(entry: ExitCleanupEntry): void {
  open.delete(entry);
}
