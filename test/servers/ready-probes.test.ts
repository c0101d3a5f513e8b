/**
 * ready() against real listeners and real processes: each probe form, a
 * server that exits first, one never ready. The listeners live in the test
 * process, opened only after the wait has begun; the "servers" are tagged
 * processes ended by pid.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { CorralError } from '../../src/errors.js';
import { ready } from '../../src/run/servers/wait-until-ready.js';
import { freePort } from '../helpers/free-port.js';
import { assertNoSurvivors, tagFor, type Tag } from '../helpers/tagged-processes.js';

/** A stand-in server process, killed by pid at the end of the test. */
function serverProcess(t: Parameters<typeof tagFor>[0], tag: Tag, script: string): ChildProcess {
  const child = spawn('sh', ['-c', script], { env: tag.env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

test('http: ready at the first response, whatever its status, once the listener comes up', async (t) => {
  const tag = tagFor(t);
  const port = await freePort();
  const child = serverProcess(t, tag, 'exec sleep 30');
  const server = http.createServer((_request, response) => response.writeHead(503).end());
  t.teardown(() => void server.close());
  const waiting = ready(child, `http://127.0.0.1:${port}/health`, { timeout: 60_000 });
  // The first attempts meet a closed port; the listener comes after.
  setTimeout(() => server.listen(port, '127.0.0.1'), 50);
  const { elapsedMs } = await waiting;
  t.true(elapsedMs >= 0);
  await stop(child);
  assertNoSurvivors(t, tag);
});

test('tcp: ready at the first accepted connection', async (t) => {
  const tag = tagFor(t);
  const port = await freePort();
  const child = serverProcess(t, tag, 'exec sleep 30');
  const server = net.createServer((socket) => socket.destroy());
  t.teardown(() => void server.close());
  const waiting = ready(child, `tcp:127.0.0.1:${port}`);
  setTimeout(() => server.listen(port, '127.0.0.1'), 50);
  await t.notThrowsAsync(waiting);
  await stop(child);
  assertNoSurvivors(t, tag);
});

test('line: ready when a line of stdout or stderr matches', async (t) => {
  const tag = tagFor(t);
  const child = serverProcess(t, tag, 'echo warming up; echo "listening on 4242" >&2; exec sleep 30');
  await t.notThrowsAsync(ready(child, 'line:listening on \\d+'));
  await stop(child);
  assertNoSurvivors(t, tag);
});

test('a server that exits first is ESERVER_EXITED; one never ready is EREADY_TIMEOUT', async (t) => {
  const tag = tagFor(t);
  const dies = serverProcess(t, tag, 'echo boom >&2; exit 3');
  const error = await t.throwsAsync(ready(dies, 'line:never'), { instanceOf: CorralError });
  t.is((error as CorralError).code, 'ESERVER_EXITED');
  t.regex(error!.message, /exit code 3/);

  const port = await freePort();
  const idle = serverProcess(t, tag, 'exec sleep 30');
  const late = await t.throwsAsync(ready(idle, `tcp:${port}`, { timeout: 200 }), { instanceOf: CorralError });
  t.is((late as CorralError).code, 'EREADY_TIMEOUT');
  await stop(idle);
  assertNoSurvivors(t, tag);
});

test('bad input: unknown probe form, line: without piped output, an aborted signal', async (t) => {
  const tag = tagFor(t);
  const child = spawn('sh', ['-c', 'exec sleep 30'], { env: tag.env, stdio: 'ignore' });
  t.teardown(() => void child.kill('SIGKILL'));
  const unknown = await t.throwsAsync(ready(child, 'localhost:3000'), { instanceOf: CorralError });
  t.is((unknown as CorralError).code, 'EINVALID_PROBE');
  const unpiped = await t.throwsAsync(ready(child, 'line:x'), { instanceOf: CorralError });
  t.is((unpiped as CorralError).code, 'EINVALID_PROBE');
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await t.throwsAsync(ready(child, 'tcp:1', { signal: controller.signal }), { message: 'stop' });
  await stop(child);
  assertNoSurvivors(t, tag);
});
