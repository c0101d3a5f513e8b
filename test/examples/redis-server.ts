/**
 * A real Redis for a test: Debian's redis-server, started by the test on a
 * unix socket in a temporary directory (no TCP port, so nothing to collide
 * with), readable by every user (a worker may run as nobody), without
 * persistence, and stopped by pid at the end.
 */
import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import type { Tag } from '../helpers/tagged-processes.js';

/** The redis-server binary on PATH (or in Debian's /usr/bin, /usr/sbin), or undefined. */
export function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export interface RunningRedis {
  socket: string;
  /** A client for the test itself (queue checks, cancel requests). */
  client: Redis;
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts redis-server and resolves once it answers PING; the test's teardown stops it even if the test fails. */
export async function startRedis(t: ExecutionContext, binary: string, tag: Tag): Promise<RunningRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'corral-redis-'));
  chmodSync(dir, 0o755);
  const socket = join(dir, 'redis.sock');
  const args = [
    '--port',
    '0',
    '--unixsocket',
    socket,
    '--unixsocketperm',
    '777',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  const server = spawn(binary, args, { env: tag.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = exitOf(server);
  const client = new Redis({ path: socket, maxRetriesPerRequest: null, retryStrategy: () => 20 });
  client.on('error', () => undefined);
  const stop = async () => {
    client.disconnect();
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  // ioredis retries the connection until the socket exists; the server dying first is the failure.
  const answered = await Promise.race([client.ping().then(() => true), exited.then(() => false)]);
  if (!answered) throw new Error(`redis-server exited before it answered: ${log.trim()}`);
  return { socket, client, stop };
}
