/**
 * What `corral run` says about the servers: why one failed the run (always,
 * with its last lines), what was stopped of each (--verbose), and the same
 * for programs (--json); and about --idle-timeout's stop.
 */
import type { RunResult, ServerFailure } from '../../run/run.js';
import { describeExit } from '../../run/servers/wait-until-ready.js';
import { commandOrGone, processes } from './summary.js';

/** The lines on stderr when a server failed the run; none when none did. */
export function serverFailureLines(result: RunResult): string[] {
  const failure = result.serverFailure;
  if (failure === undefined) return [];
  const quoted = failure.lastLines.length > 0 ? '; its last lines:' : ' (it wrote nothing)';
  const lines = [`corral: ${failureSentence(failure, result)}${quoted}`];
  for (const line of failure.lastLines) lines.push(`corral:   [${failure.server}] ${line}`);
  return lines;
}

function failureSentence(failure: ServerFailure, result: RunResult): string {
  const server = `server ${failure.server}`;
  if (failure.reason === 'ready-timeout') {
    const report = result.servers?.find((s) => s.name === failure.server);
    const within = report ? ` within ${report.readyTimeoutMs / 1000} s (${report.ready})` : ' in time';
    return `${server} was not ready${within}; the command was not started`;
  }
  const how = failure.exit === undefined ? '' : ` (${describeExit(failure.exit)})`;
  return failure.during === 'start'
    ? `${server} exited before it was ready${how}; the command was not started`
    : `${server} exited while the command ran${how}; the command was stopped`;
}

/** What `corral run --idle-timeout` says when it stopped a silent tree (always, on stderr). */
export function idleLines(result: RunResult): string[] {
  if (!result.idleTimedOut) return [];
  const seconds = ((result.idleMs ?? 0) / 1000).toFixed(1);
  return [`corral: the command's tree wrote nothing for ${seconds} s (--idle-timeout); it was stopped`];
}

/** --verbose: per server, what was stopped of its tree. */
export function serverStoppedLines(result: RunResult): string[] {
  const lines: string[] = [];
  for (const server of result.servers ?? []) {
    const escalated = server.report?.escalated ? ' (escalated to SIGKILL)' : '';
    lines.push(`corral: server ${server.name}: stopped ${processes(server.stopped.length)}${escalated}`);
    for (const { pid, command } of server.stopped) {
      lines.push(`corral: stopped server ${server.name}'s ${pid}: ${commandOrGone(command)}`);
    }
  }
  return lines;
}

/** --json: the servers' part of the report. */
export function serversJson(result: RunResult): Record<string, unknown> {
  return {
    idleTimedOut: result.idleTimedOut ?? false,
    idleMs: result.idleMs ?? null,
    serverFailure: result.serverFailure ?? null,
    servers: (result.servers ?? []).map(({ report, ...server }) => ({
      ...server,
      escalated: report?.escalated ?? false,
    })),
  };
}
