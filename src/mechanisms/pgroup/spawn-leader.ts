/**
 * child_process.spawn with the user's options, except `detached`, which is
 * forced to true: that is what makes the child call setsid() between fork and
 * exec, so it heads a new session and process group before it runs a single
 * instruction of `file`. A caller's `detached: false` cannot be honoured
 * under this mechanism. The environment (the caller's, or ours) gets the
 * group's marker (see group-marker.ts). Errors (ENOENT...) are Node's own,
 * emitted as Node emits them; a child that never got a pid is not tracked.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { FallbackRuntime } from './fallback-runtime.js';
import type { GroupRegistry } from './group-registry.js';
import { MARKER_VARIABLE } from './group-marker.js';

export function spawnLeader(
  registry: GroupRegistry,
  runtime: FallbackRuntime,
  marker: string,
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  const env = { ...(options.env ?? process.env), [MARKER_VARIABLE]: marker };
  const child = registry.host.spawn(file, args, { ...options, detached: true, env });
  // The shared snapshot does not hold the new leader.
  runtime.invalidate();
  const pid = child.pid;
  if (pid !== undefined)
    runtime.noteLeader(child as ChildProcess & { pid: number }, registry.track(pid).leaderStartTime);
  return child;
}
