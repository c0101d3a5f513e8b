/**
 * tree-kill 1.2.2, what most Node users call today: it lists the tree with
 * one `ps --ppid` per process, then signals every pid it found. The tree is
 * a plain child (not detached), as users run it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { newTag } from '../lib/leftovers.js';
import { GRACE_MS, type Contender, type Tree } from './contender.js';

const WORKER = fileURLToPath(new URL('./tree-kill-worker.ts', import.meta.url));

interface Reply {
  id?: number;
  error?: string;
  ready?: boolean;
}

class TreeKillWorker {
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #requests = 0;
  readonly #pending = new Map<number, (reply: Reply) => void>();

  async #start(): Promise<ChildProcess> {
    if (this.#child && this.#ready) {
      await this.#ready;
      return this.#child;
    }
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: newTag().env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    child.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
    this.#ready = new Promise((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the tree-kill worker exited (${code}) before it was ready`)));
    });
    await this.#ready;
    return child;
  }

  async warmUp(): Promise<void> {
    await this.#start();
  }

  async treeKill(pid: number, signal: NodeJS.Signals): Promise<void> {
    const child = await this.#start();
    const id = ++this.#requests;
    const reply = await new Promise<Reply>((resolve) => {
      this.#pending.set(id, resolve);
      child.send({ id, pid, signal });
    });
    // tree-kill reports ESRCH for members that exited while it worked: not a failure of the teardown.
    if (reply.error && !reply.error.includes('ESRCH')) throw new Error(`tree-kill: ${reply.error}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    this.#ready = undefined;
    this.#pending.clear();
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
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
