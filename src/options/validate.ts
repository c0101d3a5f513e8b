import { CorralError } from '../errors.js';
import { describe } from './durations.js';

export function parseBoolean(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean') {
    throw new CorralError('EINVALID_OPTION', `${option} must be true or false, got ${describe(value)}`);
  }
  return value;
}

/** An options argument must be a plain object whose keys we know (a typo is an error, not a silent default). */
export function asOptionsObject(value: unknown, where: string, known: ReadonlySet<string>): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CorralError('EINVALID_OPTION', `${where}: options must be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      throw new CorralError(
        'EINVALID_OPTION',
        `${where}: unknown option ${JSON.stringify(key)}; known: ${[...known].join(', ')}`,
      );
    }
  }
  return value as Record<string, unknown>;
}
