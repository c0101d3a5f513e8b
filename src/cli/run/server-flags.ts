/**
 * `corral run`'s server flags, read in the order given, since they repeat and
 * pair up: `--server CMD [--name NAME] --ready PROBE [--ready-timeout D]`; a
 * --ready-timeout before any --server is every server's, and --idle-timeout
 * stops a silent tree. Each --server needs its own --ready; an unknown probe
 * form is a usage error (exit 2) before anything starts.
 */
import { parseReadyProbe } from '../../run/servers/ready-probe.js';
import type { ServerSpec } from '../../run/servers/server-options.js';
import { parseDuration } from '../units.js';
import { asUsage, UsageError } from '../usage-error.js';

export const SERVER_FLAGS = ['server', 'name', 'ready', 'ready-timeout', 'idle-timeout'];

export interface ServerFlags {
  servers: ServerSpec[];
  /** The ready timeout of every server without one of its own, in ms. */
  readyTimeout: number | undefined;
  /** In ms; undefined: none. */
  idleTimeout: number | undefined;
}

/** The servers and timeouts of parseFlags()'s entries (the other options' entries pass by). */
export function parseServerFlags(entries: ReadonlyArray<[string, string]>): ServerFlags {
  const taken: ServerFlags = { servers: [], readyTimeout: undefined, idleTimeout: undefined };
  for (const [flag, value] of entries) {
    const last = taken.servers.at(-1);
    switch (flag) {
      case 'server':
        if (last !== undefined && last.ready === undefined) throw missingReady(last);
        taken.servers.push({ command: value, name: `server${taken.servers.length + 1}` } as ServerSpec);
        break;
      case 'name':
        if (last === undefined) throw new UsageError('--name NAME follows the --server it names', 'run');
        if (value === '' || taken.servers.some((server) => server.name === value))
          throw new UsageError(`--name: ${JSON.stringify(value)} must be a name of its own`, 'run');
        last.name = value;
        break;
      case 'ready':
        if (last === undefined || last.ready !== undefined)
          throw new UsageError('--ready PROBE follows the --server it is for: --server CMD --ready PROBE', 'run');
        // The probe checked now, so an unknown form starts nothing.
        asUsage(() => parseReadyProbe(value), '--ready: ');
        last.ready = value;
        break;
      case 'ready-timeout':
        if (last === undefined) taken.readyTimeout = parseDuration(value, '--ready-timeout');
        else last.readyTimeout = parseDuration(value, '--ready-timeout');
        break;
      case 'idle-timeout': {
        const ms = parseDuration(value, '--idle-timeout');
        // As with --timeout, 0 means none.
        taken.idleTimeout = ms > 0 ? ms : undefined;
        break;
      }
    }
  }
  const last = taken.servers.at(-1);
  if (last !== undefined && last.ready === undefined) throw missingReady(last);
  return taken;
}

function missingReady(server: Partial<ServerSpec>): UsageError {
  const forms = 'http://…, tcp:[HOST:]PORT or line:REGEX';
  return new UsageError(`--server ${JSON.stringify(server.command)} needs its own --ready PROBE (${forms})`, 'run');
}
