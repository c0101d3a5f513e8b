/**
 * The kernel baseline for process groups: the tree's leader starts a new
 * session (detached), so its pid is the group id; a hard kill is one
 * killpg(SIGKILL) (process.kill(-pgid)); the drain is a /proc scan, repeated
 * until no live process is left in the group. Like every process-group
 * approach it cannot see members that left the group (setsid, setpgid).
 */
import { spawn } from 'node:child_process';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { scanProcesses } from '../../src/proc/stat.js';
import { signalGroup } from '../lib/signal-group.js';
import { GRACE_MS, type Contender, type Tree } from './contender.js';

function groupIsEmpty(pgid: number): boolean {
  return scanProcesses((stat) => stat.pgid === pgid && stat.state !== 'Z').length === 0;
}

async function waitUntilEmpty(pgid: number): Promise<void> {
  while (!groupIsEmpty(pgid)) await yieldToLoop();
}

export function kernelKillpg(): Contender {
  return {
    id: 'kernel-killpg',
    label: 'kernel: killpg + /proc scan',
    async start(script, env): Promise<Tree> {
      const leader = spawn('sh', ['-c', script], { env, stdio: 'ignore', detached: true });
      const pgid = leader.pid;
      if (pgid === undefined) throw new Error('sh could not be started');
      return {
        async hardKill() {
          signalGroup(pgid, 'SIGKILL');
          await waitUntilEmpty(pgid);
        },
        async shutdown() {
          signalGroup(pgid, 'SIGTERM');
          const escalation = setTimeout(() => signalGroup(pgid, 'SIGKILL'), GRACE_MS);
          await waitUntilEmpty(pgid);
          clearTimeout(escalation);
        },
        async dispose() {},
      };
    },
  };
}
