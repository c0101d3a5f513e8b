/** Starting test/guard/supervisor/supervisor.ts as a tagged child Node process and reading what it made. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { nodeArgs } from '../../helpers/node-script.js';
import type { Tag } from '../../helpers/tagged-processes.js';
import type { SupervisorPlan } from './supervisor.js';

const SCRIPT = new URL('./supervisor.ts', import.meta.url);

export interface SupervisorReport {
  guardPid: number | undefined;
  cgroupPaths: string[];
}

export interface Supervisor {
  child: ChildProcess;
  report: SupervisorReport;
  /** Ask for a fresh report (SIGUSR2). */
  reportAgain(): Promise<SupervisorReport>;
  /** SIGKILL, and wait until Node has reaped it. */
  kill(): Promise<void>;
}

/** Where the supervisor's own teardown goes: an ava test's `t`, or the stress run's list. */
export interface Teardowns {
  teardown(fn: () => Promise<void> | void): void;
}

export async function startSupervisor(t: Teardowns, tag: Pick<Tag, 'env'>, plan: SupervisorPlan): Promise<Supervisor> {
  const args = nodeArgs(SCRIPT, JSON.stringify(plan));
  const child = spawn(process.execPath, args, { env: tag.env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const lines = createInterface({ input: child.stdout! });
  const next = async (): Promise<SupervisorReport> => {
    const [line] = (await Promise.race([once(lines, 'line'), exited.then(() => [undefined])])) as [string | undefined];
    if (line === undefined) throw new Error(`the supervisor exited before reporting (code ${child.exitCode})`);
    return JSON.parse(line) as SupervisorReport;
  };
  const report = await next();
  return {
    child,
    report,
    async reportAgain() {
      const answer = next();
      child.kill('SIGUSR2');
      return answer;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A supervisor whose own tree kills it (SIGKILL) before it can report:
 * starts it like startSupervisor and waits for its death. Returns the
 * signal it died of (null if it exited instead).
 */
export async function runSupervisorUntilKilled(
  t: Teardowns,
  tag: Pick<Tag, 'env'>,
  plan: SupervisorPlan,
): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, nodeArgs(SCRIPT, JSON.stringify(plan)), {
    env: tag.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const [, signal] = await exited;
  return signal;
}
