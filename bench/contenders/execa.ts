/**
 * execa 9.6. It has no option to kill descendants: `subprocess.kill()`
 * signals the direct child only, `forceKillAfterDelay` escalates on that
 * child only, and `cleanup` is switched off by `detached`. execa 10's
 * `killDescendants` (Node 22 and later) signals the subprocess's process
 * group, which is what execa's own docs advise for 9.x: `detached: true`
 * plus `process.kill(-subprocess.pid)`. That is what is measured here,
 * labelled as such: execa starts and awaits the tree, the group signal and
 * the forced kill after the delay are the documented emulation.
 */
import { execa } from 'execa';
import { signalGroup } from '../lib/signal-group.js';
import { GRACE_MS, type Contender, type Tree } from './contender.js';

export function execaContender(): Contender {
  return {
    id: 'execa',
    label: 'execa 9.6 (detached + kill(-pid), forceKillAfterDelay)',
    async start(script, env): Promise<Tree> {
      const subprocess = execa('sh', ['-c', script], {
        env,
        extendEnv: false,
        stdio: 'ignore',
        detached: true,
        reject: false,
        forceKillAfterDelay: GRACE_MS,
      });
      const pgid = subprocess.pid;
      if (pgid === undefined) throw new Error('sh could not be started');
      return {
        async hardKill() {
          signalGroup(pgid, 'SIGKILL');
          await subprocess;
        },
        async shutdown() {
          signalGroup(pgid, 'SIGTERM');
          const escalation = setTimeout(() => signalGroup(pgid, 'SIGKILL'), GRACE_MS);
          await subprocess;
          clearTimeout(escalation);
        },
        async dispose() {},
      };
    },
  };
}
