/**
 * Which systemd manager to ask for a delegated scope, and over which D-Bus
 * socket: the user's own manager for a non-root user ($DBUS_SESSION_BUS_ADDRESS,
 * else $XDG_RUNTIME_DIR/bus, else /run/user/<uid>/bus, which is where
 * pam_systemd puts it), the system manager for root. Synchronous and
 * read-only, so that hostContainment() can say the same thing without
 * connecting: a socket that exists and belongs to the right user is taken as
 * a manager that answers (the call itself is the real test).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

export type ManagerKind = 'user' | 'system';

export interface ManagerBus {
  manager: ManagerKind;
  /** A D-Bus address, as busctl --address takes it. */
  address: string;
  /** The socket behind it. */
  socket: string;
}

export type BusChoice = { bus: ManagerBus } | { reason: string };

/** What a socket looks like, for the check; a seam so that tests can play any host. */
export type StatSocket = (path: string) => { isSocket: boolean; uid: number } | undefined;

export const statSocket: StatSocket = (path) => {
  try {
    const stat = statSync(path);
    return { isSocket: stat.isSocket(), uid: stat.uid };
  } catch {
    return undefined;
  }
};

const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';

/**
 * The socket path of a D-Bus address: the first `unix:path=` entry (an
 * address may list several, `;`-separated; values are %-escaped). Abstract
 * sockets and TCP cannot be checked without connecting, so they are not taken.
 */
export function socketOfAddress(address: string): string | undefined {
  for (const entry of address.split(';')) {
    const [transport, params = ''] = entry.split(/:(.*)/s);
    if (transport !== 'unix') continue;
    for (const pair of params.split(',')) {
      const [key, value] = pair.split(/=(.*)/s);
      if (key === 'path' && value) {
        try {
          return decodeURIComponent(value);
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

function candidates(uid: number, env: NodeJS.ProcessEnv): Array<{ from: string; address: string }> {
  const given = (from: string, address: string | undefined) => (address ? [{ from, address }] : []);
  if (uid === 0) {
    const systemBus = { from: 'the system bus', address: `unix:path=${SYSTEM_BUS_SOCKET}` };
    return [...given('$DBUS_SYSTEM_BUS_ADDRESS', env.DBUS_SYSTEM_BUS_ADDRESS), systemBus];
  }
  return [
    ...given('$DBUS_SESSION_BUS_ADDRESS', env.DBUS_SESSION_BUS_ADDRESS),
    ...given('$XDG_RUNTIME_DIR', env.XDG_RUNTIME_DIR && `unix:path=${join(env.XDG_RUNTIME_DIR, 'bus')}`),
    { from: `uid ${uid}'s runtime directory`, address: `unix:path=/run/user/${uid}/bus` },
  ];
}

/** The first candidate bus whose socket exists and is owned as it must be (by this user; the system bus by root). */
export function chooseManagerBus(uid: number, env: NodeJS.ProcessEnv, stat: StatSocket = statSocket): BusChoice {
  const manager: ManagerKind = uid === 0 ? 'system' : 'user';
  const rejected: string[] = [];
  const seen = new Set<string>();
  for (const { from, address } of candidates(uid, env)) {
    const socket = socketOfAddress(address);
    if (socket === undefined) {
      rejected.push(`${from} (${address}) names no unix socket path`);
      continue;
    }
    if (seen.has(socket)) continue;
    seen.add(socket);
    const found = stat(socket);
    if (found === undefined) rejected.push(`${socket} does not exist`);
    else if (!found.isSocket) rejected.push(`${socket} is not a socket`);
    else if (found.uid !== uid) rejected.push(`${socket} belongs to uid ${found.uid}, not ${uid}`);
    else return { bus: { manager, address, socket } };
  }
  const whose =
    manager === 'user'
      ? `no systemd user manager's bus is reachable for uid ${uid}`
      : 'the system bus is not reachable';
  return { reason: `${whose} (${rejected.join('; ')})` };
}
