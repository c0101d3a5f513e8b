/**
 * The kernel baseline for cgroup v2: the least code that does the job. A
 * directory under our own cgroup; the tree enters it through an `sh` shim
 * that writes its own pid into cgroup.procs and then execs the script; a
 * hard kill is one write of "1" to cgroup.kill; the drain is `populated 0`
 * in cgroup.events, waited for with inotify (fs.watch).
 *
 * With `waitBy: 'poll20'` the same contender waits the way processkit does,
 * by re-reading cgroup.events every 20 ms: the reference for how quickly a
 * graceful drain is noticed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCgroupRoot } from '../lib/cgroup-root.js';
import { noteDirectory, removeDirectoryWhenEmpty } from '../lib/leftovers.js';
import { GRACE_MS, type ChildrenTree, type Contender } from './contender.js';

const SHIM = 'echo $$ > "$0/cgroup.procs" && exec "$@"';
const POLL_MS = 20;
let counter = 0;

type WaitStrategy = 'inotify' | 'poll20';

function isPopulated(directory: string): boolean {
  return !readFileSync(join(directory, 'cgroup.events'), 'utf8').includes('populated 0');
}

function waitByInotify(directory: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(join(directory, 'cgroup.events'), () => {
      if (isPopulated(directory)) return;
      watcher.close();
      resolve();
    });
    if (!isPopulated(directory)) {
      watcher.close();
      resolve();
    }
  });
}

/**
 * A free-running 20 ms poll is, at the moment the tree exits, anywhere in its
 * period; the first sleep is drawn at random in [0, 20) ms to model that
 * phase, so the poll's mean latency is the expected ~10 ms and not 20.
 */
async function waitByPolling(directory: string): Promise<void> {
  let sleep = Math.random() * POLL_MS;
  while (isPopulated(directory)) {
    await new Promise((resolve) => setTimeout(resolve, sleep));
    sleep = POLL_MS;
  }
}

class RawCgroupTree implements ChildrenTree {
  readonly children: ChildProcess[] = [];
  constructor(
    readonly directory: string,
    private readonly waitBy: WaitStrategy,
  ) {}

  spawnInside(argv: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn('sh', ['-c', SHIM, this.directory, ...argv], { env, stdio: 'ignore' });
    this.children.push(child);
    return child;
  }

  #drained(): Promise<void> {
    return this.waitBy === 'inotify' ? waitByInotify(this.directory) : waitByPolling(this.directory);
  }

  async hardKill(): Promise<void> {
    writeFileSync(join(this.directory, 'cgroup.kill'), '1');
    await this.#drained();
  }

  async shutdown(): Promise<void> {
    for (const pid of readFileSync(join(this.directory, 'cgroup.procs'), 'utf8').split('\n')) {
      if (pid === '') continue;
      try {
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        // Exited meanwhile.
      }
    }
    const escalation = setTimeout(() => writeFileSync(join(this.directory, 'cgroup.kill'), '1'), GRACE_MS);
    await this.#drained();
    clearTimeout(escalation);
  }

  async dispose(): Promise<void> {
    await removeDirectoryWhenEmpty(this.directory);
  }
}

export function kernelCgroup(waitBy: WaitStrategy = 'inotify'): Contender {
  const root = findCgroupRoot();
  const makeTree = (): RawCgroupTree => {
    if (!root) throw new Error('no cgroup v2 mount: the cgroup baseline cannot run here');
    const directory = join(root.own, `corral-bench-${process.pid}-${++counter}`);
    mkdirSync(directory);
    noteDirectory(directory);
    return new RawCgroupTree(directory, waitBy);
  };
  return {
    id: waitBy === 'inotify' ? 'kernel-cgroup' : 'poll-20ms',
    label: waitBy === 'inotify' ? 'kernel: cgroup.kill + inotify' : 'fixed 20 ms poll (processkit-style)',
    async start(script, env) {
      const tree = makeTree();
      tree.spawnInside(['sh', '-c', script], env);
      return tree;
    },
    async startChildren(count, env) {
      const tree = makeTree();
      for (let i = 0; i < count; i++) tree.spawnInside(['sleep', '1000'], env);
      return tree;
    },
  };
}
