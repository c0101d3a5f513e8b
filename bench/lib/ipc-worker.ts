/**
 * A helper Node process the benchmark talks to over IPC, one request at a
 * time per id: tree-kill runs in one (so a run stopped at the cap can be
 * ended), execa 10 in another (it needs a newer Node than the benchmark's).
 * The worker sends `{ ready: true }` once, then answers each `{ id, ... }`
 * request with `{ id, ... }`. The message round trip costs well under a
 * millisecond.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { newTag } from './leftovers.js';

export interface Reply {
  id?: number;
  error?: string;
  ready?: boolean;
  [key: string]: unknown;
}

export class IpcWorker {
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #requests = 0;
  readonly #pending = new Map<number, (reply: Reply) => void>();

  /** `node` runs `args` (a script and its flags); the worker's own environment is tagged, as every process of the benchmark. */
  constructor(
    private readonly node: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  async #start(): Promise<ChildProcess> {
    if (this.#child && this.#ready) {
      await this.#ready;
      return this.#child;
    }
    const child = spawn(this.node, [...this.args], {
      env: { ...newTag().env, ...this.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    child.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
    this.#ready = new Promise((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) =>
        reject(new Error(`the worker ${this.args.join(' ')} exited (${code}) before it was ready`)),
      );
    });
    await this.#ready;
    return child;
  }

  async warmUp(): Promise<void> {
    await this.#start();
  }

  async request(message: Record<string, unknown>): Promise<Reply> {
    const child = await this.#start();
    const id = ++this.#requests;
    return new Promise<Reply>((resolve) => {
      this.#pending.set(id, resolve);
      child.send({ ...message, id });
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    this.#ready = undefined;
    this.#pending.clear();
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
