/**
 * run() with `servers`: the servers first, each ready; then the command,
 * stopped if a server exits meanwhile; then, however it ended (or if it
 * never started), every server's whole tree.
 */
import type { Clock } from '../../driver/clock.js';
import type { RunResult } from '../run-result.js';
import type { ResolvedRunOptions } from '../run-options.js';
import { ServerSet, type ServerFailure } from './server-set.js';

export async function withServers(
  resolved: ResolvedRunOptions,
  clock: Clock,
  runCommand: (servers: ServerSet) => Promise<RunResult<string | Buffer>>,
): Promise<RunResult<string | Buffer>> {
  const started = clock.now();
  const servers = await ServerSet.start(
    resolved.servers,
    resolved.group,
    resolved.spawn,
    { output: resolved.serverOutput, onSpawn: resolved.onServerSpawn },
    clock,
  );
  let result: RunResult<string | Buffer> | undefined;
  try {
    const notReady = await servers.untilReady(resolved.signal);
    result = notReady === undefined ? await runCommand(servers) : notStarted(notReady, servers, clock.now() - started);
  } finally {
    const reports = await servers.stop(result?.serverFailure);
    if (result !== undefined) result = { ...result, servers: reports };
  }
  return result;
}

/** The result of a run whose command never started: a server failed first, or the AbortSignal fired. */
function notStarted(why: ServerFailure | 'aborted', servers: ServerSet, elapsedMs: number): RunResult<string | Buffer> {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: why === 'aborted',
    leftovers: [],
    leftoverProcesses: [],
    report: undefined,
    mechanism: servers.mechanism ?? 'pgroup',
    fallbackReason: undefined,
    cgroupOrigin: undefined,
    pid: undefined,
    elapsedMs,
    stats: undefined,
    stdout: undefined,
    stderr: undefined,
    outputBytes: undefined,
    outputTruncated: false,
    servers: [],
    serverFailure: why === 'aborted' ? undefined : why,
  };
}
