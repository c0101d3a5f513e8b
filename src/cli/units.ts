/**
 * Durations and sizes as people type them on a command line.
 *
 * Durations need a unit (250ms, 2s, 1.5m, 1h): a bare number is refused,
 * because coreutils `timeout` reads one as seconds while corral's library
 * counts milliseconds, and guessing wrong by a factor of 1000 is worse than
 * asking. `0` alone is accepted: it means the same in every unit. A positive
 * duration is at least 1 ms: it is never read as 0.
 *
 * Sizes are binary (K = 1024): 512M, 1G, 1.5G, 64K, 2T; a bare number is
 * bytes. A trailing `B` or `iB` is allowed (512MiB, 1GB mean the same here).
 */
import { UsageError } from './usage-error.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Milliseconds, from '250ms', '2s', '1.5m', '1h' or '0'. */
export function parseDuration(text: string, option: string): number {
  if (text.trim() === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) {
    const hint = /^\d+(\.\d+)?$/.test(text.trim()) ? ` (add a unit: ${text.trim()}s or ${text.trim()}ms)` : '';
    throw new UsageError(`${option}: bad duration ${JSON.stringify(text)}${hint}; use e.g. 250ms, 2s, 1m, 1h`);
  }
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2] as string]!);
  // A positive duration below half a millisecond must not round to 0, which
  // means "none": `--timeout 0.0001ms` is a (very short) timeout.
  return ms === 0 && Number(match[1]) > 0 ? 1 : ms;
}

/** Bytes, from '512M', '1G', '1.5G', '4096'. */
export function parseSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  const bytes = match ? Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!.toUpperCase()]!) : NaN;
  if (!(bytes > 0)) {
    throw new UsageError(
      `${option}: bad size ${JSON.stringify(text)}; use e.g. 512M, 1G (K, M, G, T are powers of 1024)`,
    );
  }
  return bytes;
}

/** A positive number; `integer` for counts such as --pids. */
export function parsePositive(text: string, option: string, { integer = false } = {}): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `${option}: expected a positive ${integer ? 'whole number' : 'number'}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
