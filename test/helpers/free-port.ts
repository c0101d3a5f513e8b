/**
 * A TCP port nothing listens on, asked of the kernel (listen on port 0, read
 * the port, close): tests that start servers never collide with each other
 * or with what else runs on the machine.
 */
import net from 'node:net';
import { lookUntil } from './look-until.js';
import { PATIENCE_MS } from './patience.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * True once nothing accepts connections on the port any more. Waited for: a
 * killed server is gone from /proc's view of its environment (its memory is
 * released) a moment before its sockets are closed.
 */
export async function portFreed(port: number): Promise<boolean> {
  return (
    await lookUntil(
      () => portAnswers(port),
      (answers) => !answers,
      { ms: PATIENCE_MS },
    )
  ).met;
}
