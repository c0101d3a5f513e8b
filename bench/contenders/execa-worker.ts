/**
 * execa 10 runs here, under the Node of execa-runtime.ts, and not inside the
 * benchmark, whose Node may be too old for it. Each `start` runs the tree
 * with `killDescendants: true` (execa spawns it in a process group of its
 * own, and `subprocess.kill()` signals that whole group) and
 * `forceKillAfterDelay`; `hardKill` and `shutdown` answer once execa's
 * promise has settled, as a user's `await` would.
 */
interface Request {
  id: number;
  op: 'start' | 'hardKill' | 'shutdown';
  tree?: number;
  script?: string;
  env?: NodeJS.ProcessEnv;
  graceMs?: number;
}

interface Subprocess extends Promise<unknown> {
  pid?: number;
  kill(signal?: NodeJS.Signals): boolean;
}

type Execa = (file: string, args: string[], options: Record<string, unknown>) => Subprocess;

const { execa } = (await import(process.env.CORRAL_BENCH_EXECA!)) as { execa: Execa };
const trees = new Map<number, Subprocess>();

async function handle(request: Request): Promise<Record<string, unknown>> {
  if (request.op === 'start') {
    const subprocess = execa('sh', ['-c', request.script!], {
      env: request.env,
      extendEnv: false,
      stdio: 'ignore',
      reject: false,
      killDescendants: true,
      forceKillAfterDelay: request.graceMs,
    });
    if (subprocess.pid === undefined) throw new Error('sh could not be started');
    trees.set(request.id, subprocess);
    return { tree: request.id, pid: subprocess.pid };
  }
  const subprocess = trees.get(request.tree!);
  if (subprocess === undefined) throw new Error(`no tree ${request.tree}`);
  subprocess.kill(request.op === 'hardKill' ? 'SIGKILL' : 'SIGTERM');
  await subprocess;
  trees.delete(request.tree!);
  return {};
}

process.on('message', (request: Request) => {
  handle(request).then(
    (reply) => process.send?.({ id: request.id, ...reply }),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
  );
});
process.send?.({ ready: true, node: process.version });
