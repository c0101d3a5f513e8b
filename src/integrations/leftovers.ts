/**
 * What a test file left behind: the processes of its worker's group other
 * than the worker itself (and, under isolate: false, other than those an
 * earlier file was already charged with), each with its command line as
 * `ps -o args` shows it, read before anything is stopped.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ProcessGroup } from '../group/process-group.js';
import { readCommandLine } from '../proc/cmdline.js';
import type { LeftoverProcess } from '../run/run.js';
import type { ResolvedIntegrationOptions } from './options.js';

export interface FileLeftovers {
  /** The test file's absolute path. */
  file: string;
  leftovers: LeftoverProcess[];
}

/** Members of `group` that are not in `known`, named; a process gone before its name was read is dropped. */
export async function newLeftovers(group: ProcessGroup, known: ReadonlySet<number>): Promise<LeftoverProcess[]> {
  const pids = (await group.members()).filter((pid) => !known.has(pid));
  const named = await Promise.all(pids.map(async (pid) => ({ pid, command: await readCommandLine(pid) })));
  return named.filter((process) => process.command !== '');
}

/** The lines that name a file's leftovers in the runner's output. */
export function describeFileLeftovers({ file, leftovers }: FileLeftovers, outcome: string): string {
  const count = leftovers.length === 1 ? '1 process' : `${leftovers.length} processes`;
  return [
    `corral: ${file} left ${count} behind (${outcome}):`,
    ...leftovers.map((p) => `  ${p.pid} ${p.command}`),
  ].join('\n');
}

/** A worker's group, as the runner's options say (mechanism, grace). */
export function createWorkerGroup(settings: ResolvedIntegrationOptions): Promise<ProcessGroup> {
  return ProcessGroup.create({ mechanism: settings.mechanism, shutdownTimeout: settings.grace });
}

/** The group's graceful shutdown (the worker and its leftovers), the worker's exit seen, then close. */
export async function stopWorkerGroup(group: ProcessGroup, worker: ChildProcess | undefined): Promise<void> {
  const exited =
    !worker || worker.exitCode !== null || worker.signalCode !== null ? Promise.resolve() : once(worker, 'exit');
  await group.shutdown();
  await exited;
  await group.close();
}
