/**
 * execa 10.2.1 with `killDescendants: true`, the real thing: it spawns the
 * subprocess in a process group of its own and signals the whole group, with
 * `forceKillAfterDelay` escalating to SIGKILL. It needs Node 22 or later, so
 * it runs in a helper process under Node 24 (execa-runtime.ts), and the
 * tables say so; the round trip to the helper costs well under a millisecond.
 */
import { fileURLToPath } from 'node:url';
import { IpcWorker } from '../lib/ipc-worker.js';
import { GRACE_MS, type Contender, type Tree } from './contender.js';
import { EXECA_NODE_MAJOR, EXECA_VERSION, installExecaRuntime, type ExecaRuntime } from './execa-runtime.js';

const WORKER = fileURLToPath(new URL('./execa-worker.ts', import.meta.url));

export function execaContender(): Contender {
  let runtime: ExecaRuntime | undefined;
  let unavailable: unknown;
  try {
    runtime = installExecaRuntime();
  } catch (error) {
    unavailable = error;
  }
  const worker =
    runtime && new IpcWorker(runtime.node, ['--import', 'tsx', WORKER], { CORRAL_BENCH_EXECA: runtime.execaEntry });
  const ask = async (message: Record<string, unknown>) => {
    if (worker === undefined)
      throw new Error(
        `execa ${EXECA_VERSION} needs Node ${EXECA_NODE_MAJOR}, which could not be installed: ${String(unavailable)}`,
      );
    const reply = await worker.request(message);
    if (reply.error) throw new Error(`execa: ${reply.error}`);
    return reply;
  };
  return {
    id: 'execa',
    label: `execa ${EXECA_VERSION} killDescendants (Node ${runtime?.nodeVersion.slice(1) ?? EXECA_NODE_MAJOR}, helper process)`,
    async start(script, env): Promise<Tree> {
      const { tree } = await ask({ op: 'start', script, env, graceMs: GRACE_MS });
      return {
        hardKill: async () => void (await ask({ op: 'hardKill', tree })),
        shutdown: async () => void (await ask({ op: 'shutdown', tree })),
        async dispose() {},
      };
    },
    reset: async () => worker?.stop(),
    close: async () => worker?.stop(),
  };
}
