import type { SpawnOptions } from 'node:child_process';
import { invalidOption } from '../errors.js';

/**
 * The same argument forms child_process.spawn accepts: (command),
 * (command, args), (command, options), (command, args, options).
 * Type errors are left to Node's own spawn where it would raise them
 * (ERR_INVALID_ARG_TYPE), so users see Node's messages.
 */
export function normalizeSpawnArguments(
  command: unknown,
  argsOrOptions?: unknown,
  maybeOptions?: unknown,
): { file: string; args: string[]; options: SpawnOptions } {
  let args: unknown = [];
  let options: unknown = maybeOptions;
  if (Array.isArray(argsOrOptions)) {
    args = argsOrOptions;
  } else if (argsOrOptions !== undefined && argsOrOptions !== null) {
    if (typeof argsOrOptions !== 'object') {
      throw invalidOption(`spawn(): args must be an array, got ${typeof argsOrOptions}`);
    }
    options = argsOrOptions;
  }
  if (typeof command !== 'string' || command.length === 0) {
    throw invalidOption(`spawn(): command must be a non-empty string, got ${JSON.stringify(command)}`);
  }
  for (const arg of args as unknown[]) {
    if (typeof arg !== 'string') {
      throw invalidOption(`spawn(): every argument must be a string, got ${typeof arg}`);
    }
  }
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw invalidOption(`spawn(): options must be an object, got ${typeof options}`);
  }
  return { file: command, args: [...(args as string[])], options: { ...((options ?? {}) as SpawnOptions) } };
}
