/**
 * tree-kill 1.2.2, what most Node users call today: it lists the tree with
 * one `ps --ppid` per process, then signals every pid it found. The tree is
 * a plain child (not detached), as users run it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { IpcWorker } from '../lib/ipc-worker.js';
import { GRACE_MS, type Contender, type Tree } from './contender.js';

const WORKER = fileURLToPath(new URL('./tree-kill-worker.ts', import.meta.url));

class TreeKillWorker extends IpcWorker {
  constructor() {
    super(process.execPath, ['--import', 'tsx', WORKER]);
  }

  async treeKill(pid: number, signal: NodeJS.Signals): Promise<void> {
    const reply = await this.request({ pid, signal });
    // tree-kill reports ESRCH for members that exited while it worked: not a failure of the teardown.
    if (reply.error && !reply.error.includes('ESRCH')) throw new Error(`tree-kill: ${reply.error}`);
  }
}

export function treeKillContender(): Contender {
  const worker = new TreeKillWorker();
  return {
    id: 'tree-kill',
    label: 'tree-kill 1.2.2',
    async start(script, env): Promise<Tree> {
      await worker.warmUp();
      const leader = spawn('sh', ['-c', script], { env, stdio: 'ignore' });
      const pid = leader.pid;
      if (pid === undefined) throw new Error('sh could not be started');
      return {
        hardKill: () => worker.treeKill(pid, 'SIGKILL'),
        async shutdown() {
          await worker.treeKill(pid, 'SIGTERM');
          // tree-kill has no grace or escalation of its own; a user would add this.
          if (leader.exitCode === null && leader.signalCode === null) {
            const escalation = setTimeout(() => void worker.treeKill(pid, 'SIGKILL').catch(() => undefined), GRACE_MS);
            await once(leader, 'exit');
            clearTimeout(escalation);
          }
        },
        async dispose() {},
      };
    },
    reset: () => worker.stop(),
    close: () => worker.stop(),
  };
}
