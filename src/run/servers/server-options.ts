/**
 * run()'s `servers`, `readyTimeout` and `serverOutput`, checked before any
 * group or process exists (an unknown probe form is EINVALID_PROBE with
 * nothing started).
 */
import { describe, parseDeadline } from '../../options/durations.js';
import { asOptionsObject } from '../../options/validate.js';
import { invalidOption } from '../../errors.js';
import { parseReadyProbe, type ReadyProbe } from './ready-probe.js';
import { DEFAULT_READY_TIMEOUT_MS } from './wait-until-ready.js';

/** A server the command needs: started before it, in a group of its own, stopped (whole tree) after it. */
export interface ServerSpec {
  /** A command line, run as `sh -c` runs it. */
  command: string;
  /**
   * When it is ready: `http(s)://…` (any response), `tcp:[HOST:]PORT` (a
   * connection accepted) or `line:REGEX` (an output line).
   */
  ready: string;
  /** Its name in the output prefix and the reports (default server1, server2…). */
  name?: string;
  /** Milliseconds from its start until it must be ready (default: run()'s readyTimeout, 60 000). */
  readyTimeout?: number;
}

/** Where a server's output lines go: 'prefix' (default: `[name] line` on our stdout/stderr), 'ignore' or a function. */
export type ServerOutput = 'prefix' | 'ignore' | ((name: string, line: string, stream: 'stdout' | 'stderr') => void);

export interface ResolvedServer {
  name: string;
  command: string;
  ready: string;
  probe: ReadyProbe;
  readyTimeoutMs: number;
}

const SPEC_KEYS = new Set(['command', 'ready', 'name', 'readyTimeout']);

export function resolveServers(servers: unknown, readyTimeout: unknown): ResolvedServer[] {
  if (servers === undefined) return [];
  if (!Array.isArray(servers)) {
    throw invalidOption(`servers must be an array of { command, ready }, got ${describe(servers)}`);
  }
  const defaultTimeout = parseDeadline(readyTimeout, 'readyTimeout', DEFAULT_READY_TIMEOUT_MS);
  const names = new Set<string>();
  return servers.map((value, index) => {
    const spec = asOptionsObject(value, `servers[${index}]`, SPEC_KEYS) as Partial<ServerSpec>;
    if (typeof spec.command !== 'string' || spec.command.trim() === '') {
      throw invalidOption(`servers[${index}].command must be a command line, got ${describe(spec.command)}`);
    }
    const name = spec.name ?? `server${index + 1}`;
    if (typeof name !== 'string' || name === '' || names.has(name)) {
      const got = `got ${describe(spec.name)}`;
      throw invalidOption(`servers[${index}].name must be a non-empty string of its own, ${got}`);
    }
    names.add(name);
    return {
      name,
      command: spec.command,
      ready: spec.ready as string,
      probe: parseReadyProbe(spec.ready),
      readyTimeoutMs: parseDeadline(spec.readyTimeout, `servers[${index}].readyTimeout`, defaultTimeout),
    };
  });
}

export function resolveServerOutput(value: unknown): ServerOutput {
  if (value === undefined) return 'prefix';
  if (value === 'prefix' || value === 'ignore' || typeof value === 'function') return value as ServerOutput;
  throw invalidOption(`serverOutput must be 'prefix', 'ignore' or a function, got ${describe(value)}`);
}
