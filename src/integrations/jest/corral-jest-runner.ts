/**
 * corral/jest: a jest 30 runner (`runner: 'corral/jest'`) that runs every
 * test file in a process of its own inside a corral group of its own.
 *
 * The algorithm, per test file (at most `maxWorkers` at once, one at a time
 * under --runInBand):
 * 1. make a group, spawn file-worker.js in it, send it the file's request
 *    (what jest's default runner sends its jest-worker processes);
 * 2. forward the worker's custom messages to jest as events, until the
 *    file's result (or its failure) comes back;
 * 3. the group's members other than the worker are the file's leftovers:
 *    named (pid, command line), recorded in the report, printed, and with
 *    failOnLeftovers the file's result carries them as its execution error,
 *    so jest marks the file failed and exits non-zero;
 * 4. the group's graceful shutdown (the worker and its leftovers: SIGTERM,
 *    `grace`, SIGKILL) and close.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessGroup } from '../../group/process-group.js';
import { createWorkerGroup, describeFileLeftovers, newLeftovers, stopWorkerGroup } from '../leftovers.js';
import { resolveIntegrationOptions, type IntegrationOptions } from '../options.js';
import { ledgerFor } from '../report.js';
import { checkRunnerVersion } from '../runner-version.js';

export const SUPPORTED_JEST_MAJORS = [30] as const;

/** The slices of jest's types this runner reads. */
export interface JestGlobalConfig {
  rootDir: string;
  maxWorkers: number;
  [key: string]: unknown;
}
export interface JestTest {
  path: string;
  context: { config: { id: string; [key: string]: unknown }; moduleMap: { toJSON(): unknown } };
}
export interface JestWatcher {
  isInterrupted(): boolean;
}
export interface JestContext {
  changedFiles?: Set<string>;
  sourcesRelatedToTestsInChangedFiles?: Set<string>;
  [key: string]: unknown;
}
// biome-ignore lint/suspicious/noExplicitAny: jest's own signature
type Listener = (payload: any) => unknown;

export interface WorkerReply {
  result?: { testExecError?: unknown; failureMessage?: string | null };
  error?: unknown;
}

/** jest-worker's tag on a custom message (PARENT_MESSAGE_CUSTOM), stable since jest 24. */
const PARENT_MESSAGE_CUSTOM = 3;
const FILE_WORKER = join(dirname(fileURLToPath(import.meta.url)), 'file-worker.js');

/** A runner class for `runner:`, with these options (the environment variables still win). */
export function createCorralJestRunner(options?: IntegrationOptions) {
  const settings = resolveIntegrationOptions(options, 'corral/jest');
  const ledger = ledgerFor(settings.report);
  return class CorralJestRunner {
    readonly supportsEventEmitters = true;
    readonly isSerial = false;
    readonly #globalConfig: JestGlobalConfig;
    readonly #context: JestContext;
    readonly #testWorker: string;
    readonly #listeners = new Map<string, Set<Listener>>();

    constructor(globalConfig: JestGlobalConfig, context: JestContext) {
      this.#globalConfig = globalConfig;
      this.#context = context;
      const jestRunner = resolveJestRunner(globalConfig.rootDir);
      const { version } = createRequire(jestRunner)('./package.json') as { version?: unknown };
      checkRunnerVersion('jest', version, SUPPORTED_JEST_MAJORS);
      this.#testWorker = join(dirname(jestRunner), 'build', 'testWorker.js');
    }

    on(eventName: string, listener: Listener): () => void {
      const listeners = this.#listeners.get(eventName) ?? new Set<Listener>();
      this.#listeners.set(eventName, listeners);
      listeners.add(listener);
      return () => listeners.delete(listener);
    }

    async runTests(tests: JestTest[], watcher: JestWatcher, options: { serial: boolean }): Promise<void> {
      const queue = [...tests];
      const lanes = options.serial ? 1 : Math.max(1, Math.min(this.#globalConfig.maxWorkers, tests.length));
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          for (let test = queue.shift(); test !== undefined && !watcher.isInterrupted(); test = queue.shift()) {
            await this.#emit('test-file-start', [test]);
            const reply = await this.#runFile(test).catch((error: unknown): WorkerReply => ({ error }));
            if (reply.result) await this.#emit('test-file-success', [test, reply.result]);
            else await this.#emit('test-file-failure', [test, reply.error]);
          }
        }),
      );
    }

    async #emit(eventName: string, payload: unknown): Promise<void> {
      await Promise.all([...(this.#listeners.get(eventName) ?? [])].map((listener) => listener(payload)));
    }

    async #runFile(test: JestTest): Promise<WorkerReply> {
      const group = await createWorkerGroup(settings);
      let child: ChildProcess | undefined;
      try {
        child = group.spawn(process.execPath, [FILE_WORKER], {
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          serialization: 'json',
        });
        for (const [from, to] of [
          [child.stdout!, process.stdout],
          [child.stderr!, process.stderr],
        ] as const) {
          // One pipe per file running at once: as many listeners on jest's own streams.
          to.setMaxListeners(to.getMaxListeners() + 1);
          from.once('close', () => to.setMaxListeners(to.getMaxListeners() - 1));
          from.pipe(to, { end: false });
        }
        const reply = await this.#exchange(child, test);
        await this.#charge(group, child, test, reply);
        return reply;
      } finally {
        await stopWorkerGroup(group, child);
      }
    }

    /** Sends the file's request; resolves with its reply, forwarding custom messages meanwhile. */
    #exchange(child: ChildProcess, test: JestTest): Promise<WorkerReply> {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
          const how = signal ?? `code ${code}`;
          reject(new Error(`corral/jest: the worker of ${test.path} exited (${how}) before it reported`));
        };
        child.once('error', reject);
        child.once('exit', onExit);
        child.on('message', (message: unknown) => {
          if (Array.isArray(message) && message[0] === PARENT_MESSAGE_CUSTOM) {
            const [eventName, payload] = message[1] as [string, unknown];
            void this.#emit(eventName, payload);
            return;
          }
          child.off('exit', onExit);
          resolve(message as WorkerReply);
        });
        const context = this.#context;
        child.send({
          testWorker: this.#testWorker,
          setup: {
            serializableResolvers: [
              { config: test.context.config, serializableModuleMap: test.context.moduleMap.toJSON() },
            ],
          },
          request: {
            config: test.context.config,
            globalConfig: this.#globalConfig,
            path: test.path,
            context: {
              ...context,
              changedFiles: context.changedFiles && [...context.changedFiles],
              sourcesRelatedToTestsInChangedFiles: context.sourcesRelatedToTestsInChangedFiles && [
                ...context.sourcesRelatedToTestsInChangedFiles,
              ],
            },
          },
        });
      });
    }

    /** Charges the file with its worker's group's other members: recorded, and printed or failing the file. */
    async #charge(group: ProcessGroup, child: ChildProcess, test: JestTest, reply: WorkerReply): Promise<void> {
      const leftovers = await newLeftovers(group, new Set(child.pid === undefined ? [] : [child.pid]));
      ledger.record(test.path, leftovers);
      if (leftovers.length === 0) return;
      const text = describeFileLeftovers({ file: test.path, leftovers }, 'stopped');
      if (settings.failOnLeftovers && reply.result) {
        // An execution error marks the file failed and makes jest exit non-zero; its text is printed with the file.
        reply.result.testExecError ??= { message: text, stack: '' };
        reply.result.failureMessage = [reply.result.failureMessage, text].filter(Boolean).join('\n');
      } else {
        process.stderr.write(`${text}\n`);
      }
    }
  };
}

/** jest-runner's package directory: the one jest itself uses, as seen from the project, else ours. */
function resolveJestRunner(rootDir: string): string {
  for (const from of [join(rootDir, 'package.json'), process.argv[1] ?? '', fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(from).resolve('jest-runner/package.json');
    } catch {
      // Not from there; try the next.
    }
  }
  throw new Error('corral/jest: jest-runner cannot be found (is jest 30 installed?)');
}
