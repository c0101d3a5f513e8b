/**
 * The checkers every options pipeline shares (run(), supervise(), pipeline(),
 * the servers, the runners, ProcessGroup.create()): each names the option and
 * the value it got, and throws EINVALID_OPTION unless told another code.
 */
import { invalidOption, type OptionErrorCode } from '../errors.js';
import { describe } from './durations.js';

export function isPlainObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseBoolean(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean') throw invalidOption(`${option} must be true or false, got ${describe(value)}`);
  return value;
}

/** One of a fixed set of strings: `'a', 'b' or 'c'` in the message. */
export function parseChoice<T extends string>(
  value: unknown,
  option: string,
  choices: readonly T[],
  code?: OptionErrorCode,
): T {
  if (choices.includes(value as T)) return value as T;
  const quoted = choices.map((choice) => `'${choice}'`);
  const listed = `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
  throw invalidOption(`${option} must be ${listed}, got ${describe(value)}`, code);
}

/** A number that passes `ok`; `what` completes "must be …" in the message. */
export function parseNumber(
  value: unknown,
  option: string,
  ok: (value: number) => boolean,
  what: string,
  code?: OptionErrorCode,
): number {
  if (typeof value !== 'number' || !ok(value)) {
    throw invalidOption(`${option} must be ${what}, got ${describe(value)}`, code);
  }
  return value;
}

/** A whole number >= 0, and Infinity too where `allowInfinite` (no bound). */
export function parseCount(value: unknown, option: string, what: string, { allowInfinite = false } = {}): number {
  const ok = (n: number) => n >= 0 && (Number.isInteger(n) || (allowInfinite && n === Infinity));
  return parseNumber(value, option, ok, `a whole number ${what}${allowInfinite ? ' (or Infinity)' : ''}`);
}

/** Each of `hooks` that is given must be a function. */
export function checkFunctions(options: object, hooks: readonly string[]): void {
  for (const hook of hooks) {
    const value = (options as Record<string, unknown>)[hook];
    if (value !== undefined && typeof value !== 'function') {
      throw invalidOption(`${hook} must be a function, got ${describe(value)}`);
    }
  }
}

export function checkAbortSignal(value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw invalidOption(`signal must be an AbortSignal, got ${describe(value)}`);
  }
  return value;
}

/** An options argument must be a plain object whose keys we know (a typo is an error, not a silent default). */
export function asOptionsObject(value: unknown, where: string, known: ReadonlySet<string>): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidOption(`${where}: options must be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      throw invalidOption(`${where}: unknown option ${JSON.stringify(key)}; known: ${[...known].join(', ')}`);
    }
  }
  return value as Record<string, unknown>;
}

/** The keys given a value in `options`, copied onto `into` under the same names. */
export function copyDefined(options: object, keys: readonly string[], into: object): void {
  for (const key of keys) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) (into as Record<string, unknown>)[key] = value;
  }
}
