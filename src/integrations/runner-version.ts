/**
 * corral's integrations lean on runner APIs that are marked experimental
 * (vitest's custom pools) or internal in shape (the messages a vitest worker
 * sends): each integration names the major versions it was tested with, and
 * any other is refused with a clear error instead of misbehaving.
 */
import { unsupportedRunner } from '../errors.js';

export function checkRunnerVersion(runner: string, version: unknown, supportedMajors: readonly number[]): void {
  const major = typeof version === 'string' ? Number(/^(\d+)\./.exec(version)?.[1]) : NaN;
  if (!supportedMajors.includes(major)) {
    const supported = supportedMajors.map((m) => `${runner} ${m}`).join(' and ');
    const found = typeof version === 'string' ? version : 'of an unknown version';
    throw unsupportedRunner(runner, supported, found);
  }
}
