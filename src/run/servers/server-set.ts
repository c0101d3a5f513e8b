/**
 * The servers of one run(): each a `sh -c` command line in a ProcessGroup of
 * its own (guarded like the command's), its output read by line (prefixed
 * copy, last lines kept). The run asks the set three things, in order:
 *
 * 1. untilReady(): every server ready (the waits run side by side; the first
 *    failure, a server exiting or one not ready in time, ends the others'
 *    waits), or why not;
 * 2. firstExit: a server's leader exiting while the command runs;
 * 3. stop(): every server's whole tree stopped (gracefully, then by force),
 *    named as leftovers are, and each group closed.
 */
import type { ShutdownReport } from '../../driver/graceful.js';
import type { Clock } from '../../driver/clock.js';
import type { GroupSpawnOptions } from '../../group/no-new-privileges.js';
import { ProcessGroup } from '../../group/process-group.js';
import { readCommandLine } from '../../proc/cmdline.js';
import { onLines } from './output-lines.js';
import type { ResolvedServer, ServerOutput } from './server-options.js';
import { exitOf, readyOnClock, startedOrFailed, type ReadyOutcome, type ServerExit } from './wait-until-ready.js';
import type { ChildProcess } from 'node:child_process';
import { PipesEnd } from '../capture-output.js';
import type { ResolvedRunOptions } from '../run-options.js';
import type { RunResult } from '../run-result.js';

/** Lines of a server's output kept for the message when it fails. */
const LAST_LINES_KEPT = 10;

/** What became of one server. */
export interface ServerReport {
  name: string;
  command: string;
  /** Its ready probe, and how long it had to be ready. */
  ready: string;
  readyTimeoutMs: number;
  /** Its leader's pid (the `sh`, or what it exec'd). */
  pid: number;
  /** Milliseconds from its start until it was ready; undefined if it never was. */
  readyMs: number | undefined;
  /** How its leader ended on its own (before corral stopped it), if it did. */
  exit: ServerExit | undefined;
  /** What corral stopped of its tree at the end, by pid and command line. */
  stopped: Array<{ pid: number; command: string }>;
  /** The report of that graceful stop (undefined when nothing was left to stop). */
  report: ShutdownReport | undefined;
  /** Its last lines of output (stdout and stderr, in order), up to 10. */
  lastLines: string[];
}

/** Why the servers made the run fail. */
export interface ServerFailure {
  /** The server's name. */
  server: string;
  /** 'exited': its leader exited (before it was ready, or while the command ran); 'ready-timeout': too late. */
  reason: 'exited' | 'ready-timeout';
  /** Whether the command had started ('run') or never did ('start'). */
  during: 'start' | 'run';
  exit: ServerExit | undefined;
  /** Its last lines of output (up to 10, read once its tree was stopped). */
  lastLines: string[];
}

class RunningServer {
  /** Its last LAST_LINES_KEPT lines, oldest first: what a failure message quotes. */
  readonly #lastLines: string[] = [];
  readonly exited: Promise<ServerExit>;
  exit: ServerExit | undefined;
  readyMs: number | undefined;
  #stopping = false;
  readonly #stopLines: () => void;
  readonly #pipesEnd: PipesEnd;

  constructor(
    readonly spec: ResolvedServer,
    readonly group: ProcessGroup,
    readonly child: ChildProcess,
    output: ServerOutput,
    readonly clock: Clock,
  ) {
    this.#pipesEnd = new PipesEnd(child);
    this.exited = exitOf(child);
    // An exit that corral's own stop caused is not the server's doing.
    void this.exited.then((exit) => {
      if (!this.#stopping) this.exit = exit;
    });
    const write = lineWriter(spec.name, output);
    this.#stopLines = onLines(child, (line, stream) => {
      this.#lastLines.push(line);
      if (this.#lastLines.length > LAST_LINES_KEPT) this.#lastLines.shift();
      write(line, stream);
    });
  }

  async stop(): Promise<ServerReport> {
    this.#stopping = true;
    const members = await this.group.members().catch(() => []);
    const stopped = await Promise.all(members.map(async (pid) => ({ pid, command: await readCommandLine(pid) })));
    let report: ShutdownReport | undefined;
    try {
      if (members.length > 0) report = await this.group.shutdown();
    } finally {
      await this.group.close();
      // The tree is gone, so the pipes end: their last lines are the ones a failure quotes.
      await this.#pipesEnd.wait(this.clock);
      this.#stopLines();
    }
    return {
      name: this.spec.name,
      command: this.spec.command,
      ready: this.spec.ready,
      readyTimeoutMs: this.spec.readyTimeoutMs,
      pid: this.child.pid ?? 0,
      readyMs: this.readyMs,
      exit: this.exit,
      stopped,
      report,
      lastLines: this.lastLines,
    };
  }

  get lastLines(): string[] {
    return [...this.#lastLines];
  }
}

export class ServerSet {
  readonly #servers: RunningServer[];
  readonly #clock: Clock;

  private constructor(servers: RunningServer[], clock: Clock) {
    this.#servers = servers;
    this.#clock = clock;
  }

  /** Starts every server (a group each); one that cannot even be spawned stops those already started, and rejects. */
  static async start(options: ResolvedRunOptions, clock: Clock): Promise<ServerSet> {
    const servers: RunningServer[] = [];
    const set = new ServerSet(servers, clock);
    try {
      for (const spec of options.servers) {
        const created = await ProcessGroup.create(options.group);
        let child: ChildProcess;
        try {
          child = created.spawn('sh', ['-c', spec.command], {
            ...spawnOptionsFor(options.spawn),
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          });
          await startedOrFailed(child);
        } catch (error) {
          await created.close().catch(() => undefined);
          throw error;
        }
        servers.push(new RunningServer(spec, created, child, options.serverOutput, clock));
        options.onServerSpawn?.(spec.name, child, created);
      }
    } catch (error) {
      await set.stop().catch(() => undefined);
      throw error;
    }
    return set;
  }

  /** The mechanism the servers' groups use (for a run whose command never started). */
  get mechanism(): ProcessGroup['mechanism'] | undefined {
    return this.#servers[0]?.group.mechanism;
  }

  /** Every server ready: undefined; else why not ('aborted' when `signal` fired first). */
  async untilReady(signal: AbortSignal | undefined): Promise<ServerFailure | 'aborted' | undefined> {
    const giveUp = new AbortController();
    // The caller's signal, or the first failure, ends every wait.
    const waitsEnd = signal ? AbortSignal.any([signal, giveUp.signal]) : giveUp.signal;
    const outcomes = await Promise.all(
      this.#servers.map(async (server) => {
        const source = {
          exited: server.exited,
          onLine: (listener: Parameters<typeof onLines>[1]) => onLines(server.child, listener),
        };
        const outcome = await readyOnClock(this.#clock, source, server.spec.probe, {
          timeoutMs: server.spec.readyTimeoutMs,
          signal: waitsEnd,
        });
        if (outcome.kind === 'ready') server.readyMs = outcome.elapsedMs;
        else giveUp.abort();
        return { server, outcome };
      }),
    );
    if (signal?.aborted) return 'aborted';
    const failed = outcomes.find(({ outcome }) => outcome.kind === 'exited' || outcome.kind === 'timeout');
    return failed === undefined ? undefined : failureOf(failed.server, failed.outcome, 'start');
  }

  /** Resolves with the failure once a server's leader exits (meant for while the command runs). */
  firstExit(): Promise<ServerFailure> {
    return Promise.race(
      this.#servers.map(async (server) =>
        failureOf(server, { kind: 'exited', elapsedMs: 0, exit: await server.exited }, 'run'),
      ),
    );
  }

  /**
   * Stops every server's whole tree, side by side; the reports in the
   * servers' order. A failure's last lines are filled in from its server's
   * report: output still in the pipe when the server exited is in it.
   */
  async stop(failure?: ServerFailure): Promise<ServerReport[]> {
    const reports = await Promise.all(this.#servers.map((server) => server.stop()));
    const failed = reports.find((report) => report.name === failure?.server);
    if (failure !== undefined && failed !== undefined) failure.lastLines = failed.lastLines;
    return reports;
  }
}

function failureOf(server: RunningServer, outcome: ReadyOutcome, during: ServerFailure['during']): ServerFailure {
  return {
    server: server.spec.name,
    reason: outcome.kind === 'timeout' ? 'ready-timeout' : 'exited',
    during,
    exit: outcome.kind === 'exited' ? outcome.exit : undefined,
    lastLines: server.lastLines,
  };
}

/** The command's environment, directory and identity apply to the servers too; its stdio does not. */
function spawnOptionsFor(spawn: GroupSpawnOptions): GroupSpawnOptions {
  const { env, cwd, uid, gid, noNewPrivileges } = spawn;
  return Object.fromEntries(
    Object.entries({ env, cwd, uid, gid, noNewPrivileges }).filter(([, value]) => value !== undefined),
  );
}

function lineWriter(name: string, output: ServerOutput): (line: string, stream: 'stdout' | 'stderr') => void {
  if (output === 'ignore') return () => undefined;
  if (output === 'prefix') return (line, stream) => void process[stream].write(`[${name}] ${line}\n`);
  return (line, stream) => output(name, line, stream);
}

/**
 * run() with `servers`: the servers first, each ready; then the command,
 * stopped if a server exits meanwhile; then, however it ended (or if it
 * never started), every server's whole tree.
 */
export async function withServers(
  resolved: ResolvedRunOptions,
  clock: Clock,
  runCommand: (servers: ServerSet) => Promise<RunResult<string | Buffer>>,
): Promise<RunResult<string | Buffer>> {
  const started = clock.now();
  const servers = await ServerSet.start(resolved, clock);
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
