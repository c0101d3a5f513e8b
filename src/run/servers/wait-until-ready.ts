/**
 * Waiting until a server is ready. One poll loop (driver/poll.ts) on the
 * injected Clock asks the probe, and between attempts sleeps 10 ms doubling
 * to 250 ms, never past the ready deadline. Three events cut a sleep short,
 * and end a probe attempt in flight where they settle the outcome: a line
 * matching a `line:` probe (ready), the server's leader exiting (exited),
 * the AbortSignal (aborted). The deadline ends an attempt in flight too, so
 * a connection that hangs never holds the wait past it. Outcomes, first that
 * holds: ready, exited, aborted, timeout.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { systemClock, type Clock } from '../../driver/clock.js';
import { poll } from '../../driver/poll.js';
import { invalidProbe, readyTimedOut, serverExited } from '../../errors.js';
import { parseDeadline } from '../../options/durations.js';
import { checkAbortSignal } from '../../options/validate.js';
import { onLines, type LineListener } from './output-lines.js';
import { parseReadyProbe, type ReadyProbe } from './ready-probe.js';

export const DEFAULT_READY_TIMEOUT_MS = 60_000;
const FIRST_PROBE_PAUSE_MS = 10;
const PROBE_PAUSE_CEILING_MS = 250;

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What the wait watches: the leader's exit and, for a `line:` probe, the output's lines. */
export interface ReadySource {
  exited: Promise<ServerExit>;
  onLine(listener: LineListener): () => void;
}

/** One probe attempt: true once the server answered; `signal` ends an attempt in flight. */
export type ProbeAttempt = (signal: AbortSignal) => Promise<boolean>;

export type ReadyOutcome =
  | { kind: 'ready'; elapsedMs: number }
  | { kind: 'exited'; elapsedMs: number; exit: ServerExit }
  | { kind: 'aborted'; elapsedMs: number }
  | { kind: 'timeout'; elapsedMs: number };

export interface ReadyOptions {
  /** Milliseconds to wait (default 60 000); then EREADY_TIMEOUT. */
  timeout?: number;
  signal?: AbortSignal;
}

/**
 * Resolves once `child` (a server, spawned alone or in a ProcessGroup) is
 * ready by `probe`: `http(s)://…`, `tcp:[HOST:]PORT` or `line:REGEX` (which
 * needs its stdout or stderr piped). Rejects with EINVALID_PROBE,
 * EREADY_TIMEOUT, ESERVER_EXITED (the child exited first), or the
 * AbortSignal's reason. Stops nothing: the caller owns the child.
 */
export async function ready(
  child: ChildProcess,
  probe: string,
  options: ReadyOptions = {},
): Promise<{ elapsedMs: number }> {
  const parsed = parseReadyProbe(probe);
  const timeoutMs = parseDeadline(options.timeout, 'timeout', DEFAULT_READY_TIMEOUT_MS);
  checkAbortSignal(options.signal);
  if (parsed.kind === 'line' && !child.stdout && !child.stderr) {
    const needs = "spawn it with stdout or stderr as 'pipe'";
    throw invalidProbe(`ready probe ${JSON.stringify(probe)} reads the child's output: ${needs}`);
  }
  options.signal?.throwIfAborted();
  const source: ReadySource = { exited: exitOf(child), onLine: (listener) => onLines(child, listener) };
  const outcome = await readyOnClock(systemClock, source, parsed, { timeoutMs, signal: options.signal });
  switch (outcome.kind) {
    case 'ready':
      return { elapsedMs: outcome.elapsedMs };
    case 'aborted':
      throw options.signal!.reason;
    case 'exited':
      throw serverExited(describeExit(outcome.exit));
    case 'timeout':
      throw readyTimedOut(timeoutMs, probe);
  }
}

/** The wait itself, on `clock`, with the probe's attempt injectable (the hermetic tests' seam). */
export async function readyOnClock(
  clock: Clock,
  source: ReadySource,
  probe: ReadyProbe,
  { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal | undefined },
  attemptFor: (probe: ReadyProbe) => ProbeAttempt | undefined = probeAttempt,
): Promise<ReadyOutcome> {
  const started = clock.now();
  const elapsedMs = () => clock.now() - started;
  const inFlight = new AbortController();
  let wake: (() => void) | undefined;
  let matched = false;
  let exit: ServerExit | undefined;
  const settle = () => {
    inFlight.abort();
    wake?.();
  };
  const stopLines =
    probe.kind === 'line'
      ? source.onLine((line) => {
          if (matched || !probe.pattern.test(line)) return;
          matched = true;
          settle();
        })
      : undefined;
  void source.exited.then((e) => {
    exit = e;
    settle();
  });
  signal?.addEventListener('abort', settle, { once: true });
  const deadline = clock.sleep(timeoutMs);
  void deadline.promise.then(() => inFlight.abort());
  const attempt = attemptFor(probe);
  const known = (): ReadyOutcome | undefined => {
    if (matched) return { kind: 'ready', elapsedMs: elapsedMs() };
    if (exit !== undefined) return { kind: 'exited', elapsedMs: elapsedMs(), exit };
    if (signal?.aborted) return { kind: 'aborted', elapsedMs: elapsedMs() };
    return undefined;
  };
  try {
    const outcome = await poll(
      async () => {
        const before = known();
        if (before !== undefined) return before;
        if (attempt !== undefined && !inFlight.signal.aborted && (await attempt(inFlight.signal)))
          return { kind: 'ready', elapsedMs: elapsedMs() } as const;
        return known();
      },
      {
        clock,
        deadline: started + timeoutMs,
        firstMs: FIRST_PROBE_PAUSE_MS,
        ceilingMs: PROBE_PAUSE_CEILING_MS,
        subscribe: (w) => {
          wake = w;
          return () => (wake = undefined);
        },
      },
    );
    return outcome ?? known() ?? { kind: 'timeout', elapsedMs: elapsedMs() };
  } finally {
    stopLines?.();
    signal?.removeEventListener('abort', settle);
    deadline.cancel();
  }
}

/** The real network probes; undefined for `line:`, which needs no attempt. */
function probeAttempt(probe: ReadyProbe): ProbeAttempt | undefined {
  switch (probe.kind) {
    case 'http':
      return (signal) => httpAnswers(probe.url, signal);
    case 'tcp':
      return (signal) => tcpAccepts(probe.host, probe.port, signal);
    case 'line':
      return undefined;
  }
}

/** Any response, of any status, proves the server listens; a dev server's self-signed certificate is not checked. */
function httpAnswers(url: URL, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const get = url.protocol === 'https:' ? https.request : http.request;
    const request = get(url, { method: 'GET', agent: false, signal, rejectUnauthorized: false }, (response) => {
      response.resume();
      request.destroy();
      resolve(true);
    });
    request.once('error', () => resolve(false));
    request.end();
  });
}

function tcpAccepts(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (accepted: boolean) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(accepted);
    };
    const onAbort = () => done(false);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves on 'spawn', rejects with Node's error (ENOENT, EACCES...) when the command could not start. */
export function startedOrFailed(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      child.off('spawn', onSpawn);
      reject(error);
    };
    const onSpawn = () => {
      child.off('error', onError);
      // run() never calls child.kill(), so a later 'error' has no cause of
      // ours; it must not become an uncaught exception either.
      child.on('error', () => undefined);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
}

/** Resolves when the child exits (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<ServerExit> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode as NodeJS.Signals | null });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export function describeExit(exit: ServerExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
