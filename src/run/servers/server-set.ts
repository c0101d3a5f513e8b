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
import type { ResolvedCreateOptions } from '../../options/group-options.js';
import { readCommandLine } from '../../proc/cmdline.js';
import { LastLines, onLines } from './output-lines.js';
import type { ResolvedServer, ServerOutput } from './server-options.js';
import { exitOf, readyOnClock, type ReadyOutcome, type ServerExit } from './wait-until-ready.js';
import type { ChildProcess } from 'node:child_process';
import { DRAIN_AFTER_TREE_MS } from '../capture-output.js';

/** Lines of a server's output kept for the message when it fails. */
export const LAST_LINES_KEPT = 10;

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
  readonly lastLines = new LastLines(LAST_LINES_KEPT);
  readonly exited: Promise<ServerExit>;
  exit: ServerExit | undefined;
  readyMs: number | undefined;
  #stopping = false;
  readonly #stopLines: () => void;
  readonly #outputEnded: Promise<unknown>;

  constructor(
    readonly spec: ResolvedServer,
    readonly group: ProcessGroup,
    readonly child: ChildProcess,
    output: ServerOutput,
    readonly clock: Clock,
  ) {
    this.#outputEnded = Promise.all(
      [child.stdout, child.stderr].map((stream) => stream && new Promise((resolve) => stream.once('close', resolve))),
    );
    this.exited = exitOf(child);
    // An exit that corral's own stop caused is not the server's doing.
    void this.exited.then((exit) => {
      if (!this.#stopping) this.exit = exit;
    });
    const write = lineWriter(spec.name, output);
    this.#stopLines = onLines(child, (line, stream) => {
      this.lastLines.add(line);
      write(line, stream);
    });
    // run() never calls child.kill(); a late 'error' must not become an uncaught exception.
    child.on('error', () => undefined);
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
      // The tree is gone, so the pipes end: their last lines are the ones a failure quotes
      // (bounded: an escapee may hold them).
      const bound = this.clock.sleep(DRAIN_AFTER_TREE_MS);
      await Promise.race([this.#outputEnded, bound.promise]);
      bound.cancel();
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
      lastLines: this.lastLines.lines,
    };
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
  static async start(
    specs: ResolvedServer[],
    group: ResolvedCreateOptions,
    spawn: GroupSpawnOptions,
    {
      output,
      onSpawn,
    }: {
      output: ServerOutput;
      onSpawn: ((name: string, child: ChildProcess, group: ProcessGroup) => void) | undefined;
    },
    clock: Clock,
  ): Promise<ServerSet> {
    const servers: RunningServer[] = [];
    const set = new ServerSet(servers, clock);
    try {
      for (const spec of specs) {
        const created = await ProcessGroup.create(group);
        let child: ChildProcess;
        try {
          child = created.spawn('sh', ['-c', spec.command], {
            ...spawnOptionsFor(spawn),
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          });
          await spawned(child);
        } catch (error) {
          await created.close().catch(() => undefined);
          throw error;
        }
        servers.push(new RunningServer(spec, created, child, output, clock));
        onSpawn?.(spec.name, child, created);
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
    const onAbort = () => giveUp.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) giveUp.abort();
    try {
      const outcomes = await Promise.all(
        this.#servers.map(async (server) => {
          const source = {
            exited: server.exited,
            onLine: (listener: Parameters<typeof onLines>[1]) => onLines(server.child, listener),
          };
          const outcome = await readyOnClock(this.#clock, source, server.spec.probe, {
            timeoutMs: server.spec.readyTimeoutMs,
            signal: giveUp.signal,
          });
          if (outcome.kind === 'ready') server.readyMs = outcome.elapsedMs;
          // The first failure ends the other waits.
          else giveUp.abort();
          return { server, outcome };
        }),
      );
      if (signal?.aborted) return 'aborted';
      const failed = outcomes.find(({ outcome }) => outcome.kind === 'exited' || outcome.kind === 'timeout');
      return failed === undefined ? undefined : failureOf(failed.server, failed.outcome, 'start');
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
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
    lastLines: server.lastLines.lines,
  };
}

/** The command's environment, directory and identity apply to the servers too; its stdio does not. */
function spawnOptionsFor(spawn: GroupSpawnOptions): GroupSpawnOptions {
  const { env, cwd, uid, gid, noNewPrivileges } = spawn;
  return Object.fromEntries(
    Object.entries({ env, cwd, uid, gid, noNewPrivileges }).filter(([, value]) => value !== undefined),
  );
}

function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => {
      child.off('error', reject);
      resolve();
    });
    child.once('error', reject);
  });
}

function lineWriter(name: string, output: ServerOutput): (line: string, stream: 'stdout' | 'stderr') => void {
  if (output === 'ignore') return () => undefined;
  if (output === 'prefix') return (line, stream) => void process[stream].write(`[${name}] ${line}\n`);
  return (line, stream) => output(name, line, stream);
}
