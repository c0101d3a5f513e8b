/**
 * One vitest worker in a corral group of its own: what vitest's `forks` pool
 * does (fork `workers/forks.js` of vitest's dist with its env and execArgv,
 * IPC with `advanced` serialization, output piped to vitest's logger), but
 * the fork is spawned by a ProcessGroup, so everything the test file starts
 * is in that group, `setsid` daemons and double forks included.
 *
 * The algorithm, on the worker's messages (kept in order through one chain):
 * - `testfileFinished` (a file's run ended): the group's members other than
 *   the worker and those already charged are the file's leftovers. They are
 *   named (pid, command line), recorded in the report, printed, and with
 *   failOnLeftovers the message carries an error, which vitest reports as a
 *   "Test Run Error" and which makes the run exit non-zero.
 * - under `isolate: false` the worker runs many files: each `onQueued` RPC
 *   (the worker announces the next file and awaits the answer) is held until
 *   the members that appeared since the last boundary are charged to the
 *   file that was running, so attribution follows the worker's own sequence.
 * - stop(): a last look (charged to the last file), then the group's
 *   graceful shutdown (SIGTERM to worker and leftovers, `grace`, SIGKILL)
 *   and close.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describeError } from '../../errors.js';
import type { ProcessGroup } from '../../group/process-group.js';
import { createWorkerGroup, describeFileLeftovers, newLeftovers, stopWorkerGroup } from '../leftovers.js';
import type { ResolvedIntegrationOptions } from '../options.js';
import type { LeftoversLedger } from '../report.js';

/** The slices of vitest's PoolOptions this worker reads; vitest 4 and 5 agree on them. */
export interface VitestPoolOptions {
  distPath: string;
  execArgv: string[];
  env: Partial<NodeJS.ProcessEnv>;
  project: {
    config?: { isolate?: boolean };
    vitest: { version: string; logger: { outputStream: NodeJS.WritableStream; errorStream: NodeJS.WritableStream } };
  };
}

// biome-ignore lint/suspicious/noExplicitAny: vitest's own signature
type Listener = (arg: any) => void;

interface WorkerMessage {
  __vitest_worker_response__?: boolean;
  type?: string;
  error?: unknown;
  /** birpc's request fields: `t: 'q'`, method `m`, arguments `a`. */
  t?: string;
  m?: string;
  a?: unknown[];
}

export class CorralPoolWorker {
  readonly name: string;
  readonly cacheFs = true;
  readonly #options: VitestPoolOptions;
  readonly #settings: ResolvedIntegrationOptions;
  readonly #ledger: LeftoversLedger;
  readonly #isolate: boolean;
  readonly #messages = new EventEmitter();
  #group: ProcessGroup | undefined;
  #child: ChildProcess | undefined;
  /** Messages wait here for the attribution before them: the worker's order is kept. */
  #chain: Promise<void> = Promise.resolve();
  /** The files of the last `run` request, and the one the worker announced last. */
  #taskFiles: string[] = [];
  #currentFile: string | undefined;
  /** The worker and every process already charged to a file. */
  readonly #known = new Set<number>();
  /** Under failOnLeftovers: the texts to fail the current task with. */
  #failures: string[] = [];

  constructor(name: string, options: VitestPoolOptions, settings: ResolvedIntegrationOptions, ledger: LeftoversLedger) {
    this.name = name;
    this.#options = options;
    this.#settings = settings;
    this.#ledger = ledger;
    this.#isolate = options.project.config?.isolate !== false;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    this.#group ??= await createWorkerGroup(this.#settings);
    const group = this.#group;
    // vitest's own fork entry point, as its `forks` pool loads it.
    const entrypoint = join(this.#options.distPath, 'workers/forks.js');
    const child = group.spawn(process.execPath, [...this.#options.execArgv, entrypoint], {
      env: this.#options.env,
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.#child = child;
    if (child.pid !== undefined) this.#known.add(child.pid);
    child.on('message', (message: WorkerMessage) => this.#onMessage(message));
    for (const [from, to] of this.#outputPipes(child)) {
      to.setMaxListeners?.(to.getMaxListeners() + 1);
      // end: false: the logger's streams are shared by every worker.
      from.pipe(to, { end: false });
    }
  }

  on(event: string, callback: Listener): void {
    if (event === 'message') this.#messages.on(event, callback);
    else this.#worker.on(event, callback);
  }

  off(event: string, callback: Listener): void {
    // vitest detaches its listeners on stop, also after a start that failed.
    if (event === 'message') this.#messages.off(event, callback);
    else this.#child?.off(event, callback);
  }

  send(message: { type?: string; context?: { files?: { filepath: string }[] } }): void {
    if ((message.type === 'run' || message.type === 'collect') && message.context?.files) {
      this.#taskFiles = message.context.files.map((file) => file.filepath);
      this.#currentFile = undefined;
      this.#failures = [];
    }
    this.#worker.send(message);
  }

  deserialize(data: unknown): unknown {
    return data;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    const group = this.#group;
    // A start that failed (no group could be made) left nothing to stop.
    if (!child || !group) return;
    await this.#chain;
    try {
      await this.#charge(this.#lastFile(), { finalLook: true });
    } finally {
      await stopWorkerGroup(group, child);
      for (const [from, to] of this.#outputPipes(child)) {
        from.unpipe(to);
        to.setMaxListeners?.(to.getMaxListeners() - 1);
      }
      this.#child = undefined;
      this.#group = undefined;
    }
  }

  /** The worker's stdout and stderr, each with the logger stream it is piped to. */
  #outputPipes(child: ChildProcess): [Readable, NodeJS.WritableStream][] {
    const { outputStream, errorStream } = this.#options.project.vitest.logger;
    const pairs: [Readable | null, NodeJS.WritableStream][] = [
      [child.stdout, outputStream],
      [child.stderr, errorStream],
    ];
    return pairs.filter((pair): pair is [Readable, NodeJS.WritableStream] => pair[0] !== null);
  }

  get #worker(): ChildProcess {
    if (!this.#child) throw new Error('corral/vitest: the worker was stopped or never started');
    return this.#child;
  }

  #lastFile(): string {
    return this.#currentFile ?? this.#taskFiles.join(', ');
  }

  #onMessage(message: WorkerMessage): void {
    const finished = message.__vitest_worker_response__ === true && message.type === 'testfileFinished';
    const queued = message.t === 'q' && message.m === 'onQueued' ? filepathOf(message.a?.[0]) : undefined;
    this.#chain = this.#chain.then(async () => {
      try {
        if (finished) {
          await this.#charge(this.#lastFile());
          if (this.#failures.length > 0 && !message.error) message.error = leftoversError(this.#failures);
          this.#failures = [];
        } else if (queued !== undefined) {
          // The files before this one in a shared worker; the first file's start-up is its own.
          if (!this.#isolate && this.#currentFile !== undefined) await this.#charge(this.#currentFile);
          this.#currentFile = queued;
        }
      } catch (error) {
        this.#options.project.vitest.logger.errorStream.write(
          `corral: could not look for leftovers of ${this.#lastFile()}: ${describeError(error)}\n`,
        );
      }
      this.#messages.emit('message', message);
    });
  }

  /** Charge `file` with the members nobody was charged with yet; name them and report them. */
  async #charge(file: string, { finalLook = false } = {}): Promise<void> {
    const group = this.#group;
    if (!group || group.closed) return;
    const leftovers = await newLeftovers(group, this.#known);
    for (const { pid } of leftovers) this.#known.add(pid);
    if (leftovers.length === 0 && finalLook) return;
    this.#ledger.record(file, leftovers);
    if (leftovers.length === 0) return;
    const failing = this.#settings.failOnLeftovers && !finalLook;
    const text = describeFileLeftovers(
      { file, leftovers },
      this.#isolate ? 'stopped with its worker' : 'stopped when the shared worker ends',
    );
    if (failing) this.#failures.push(text);
    else this.#options.project.vitest.logger.errorStream.write(`${text}\n`);
  }
}

/** The error vitest prints as a "Test Run Error": the text alone, no stack of corral's own frames. */
function leftoversError(failures: readonly string[]): Error {
  const error = new Error(failures.join('\n'));
  error.stack = `Error: ${error.message}`;
  return error;
}

function filepathOf(file: unknown): string | undefined {
  if (file === null || typeof file !== 'object' || !('filepath' in file)) return undefined;
  return typeof file.filepath === 'string' ? file.filepath : undefined;
}
