/**
 * The dev server of the --watch tests, written into a fresh directory: it
 * serves its version (src/version.txt) over HTTP on SERVER_PORT, keeps a
 * plain child (`sleep 1000`), and daemonizes a helper (a new session) that
 * listens on HELPER_PORT. It prints `ready <version> <helper's word>` once
 * both listen; the helper's word is `helper-error EADDRINUSE` if an earlier
 * helper still held its port, and a server that cannot listen logs its
 * error code to `log` and exits 1. So an overlap of two incarnations shows
 * as EADDRINUSE, as it does to users of nodemon or `node --watch`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { chmodSync } from 'node:fs';

export const HELPER_MARK = 'corral-watch-helper';

const HELPER = `const s = require('net').createServer(); s.on('error', (e) => { console.log('helper-error ' + e.code); process.exit(1); }); s.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('helper-listening'));`;

const SERVER = `
import http from 'node:http';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
const dir = process.env.WATCH_DIR;
const version = readFileSync(dir + '/src/version.txt', 'utf8').trim();
spawn('sleep', ['1000'], { stdio: 'ignore' });
const helper = spawn(process.execPath, ['-e', ${JSON.stringify(HELPER)}, '${HELPER_MARK}', process.env.HELPER_PORT], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
helper.unref();
const helperWord = new Promise((resolve) => helper.stdout.once('data', (data) => resolve(String(data).trim())));
const server = http.createServer((_request, response) => response.end(version));
server.on('error', (error) => { appendFileSync(dir + '/log', 'server ' + version + ' ' + error.code + '\\n'); process.exit(1); });
server.listen(Number(process.env.SERVER_PORT), '127.0.0.1', async () => console.log('ready ' + version + ' ' + (await helperWord)));
`;

export interface ServerDir {
  dir: string;
  src: string;
  server: string;
  setVersion(version: number): void;
  log(): string;
}

/** A directory with server.mjs and src/version.txt (version 1), world-readable; removed in teardown. */
export function serverDir(t: ExecutionContext): ServerDir {
  const dir = mkdtempSync(join(tmpdir(), 'corral-watch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o777);
  const src = join(dir, 'src');
  mkdirSync(src, { mode: 0o777 });
  const server = join(dir, 'server.mjs');
  writeFileSync(server, SERVER);
  const setVersion = (version: number) => writeFileSync(join(src, 'version.txt'), `${version}\n`);
  setVersion(1);
  return {
    dir,
    src,
    server,
    setVersion,
    log: () => {
      try {
        return readFileSync(join(dir, 'log'), 'utf8');
      } catch {
        return '';
      }
    },
  };
}

/** Two ports free right now (asked of the kernel, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** The body of GET http://127.0.0.1:port/, or the error code. */
export async function httpGet(port: number): Promise<string> {
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (response) => {
      let body = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (body += chunk))
        .on('end', () => resolve(body));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
    req.end();
  });
}
