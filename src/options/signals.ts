import { constants } from 'node:os';
import { invalidOption } from '../errors.js';

/** A signal name as Node spells it ('SIGTERM'). */
export type SignalName = NodeJS.Signals;

const byName = constants.signals as Record<string, number>;
const byNumber = new Map<number, SignalName>();
for (const [name, number] of Object.entries(byName)) {
  // Keep the first name for numbers that have aliases (SIGIOT/SIGABRT).
  if (!byNumber.has(number)) byNumber.set(number, name as SignalName);
}

/**
 * Accepts 'SIGTERM', 'TERM', 'sigterm' or a signal number, and returns the
 * canonical name. Anything else is an EINVALID_SIGNAL error naming the option.
 */
export function parseSignal(value: unknown, option = 'signal'): SignalName {
  if (typeof value === 'number' && Number.isInteger(value)) {
    const name = byNumber.get(value);
    if (name !== undefined) return name;
  }
  if (typeof value === 'string' && value.length > 0) {
    if (/^\d+$/.test(value)) return parseSignal(Number(value), option);
    const upper = value.toUpperCase();
    const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (name in byName) return name as SignalName;
  }
  throw invalidOption(
    `${option}: unknown signal ${JSON.stringify(value)}; use a name such as 'SIGTERM' or a number such as 15`,
    'EINVALID_SIGNAL',
  );
}

export function signalNumber(name: SignalName): number {
  const number = byName[name];
  if (number === undefined) throw invalidOption(`unknown signal ${name}`, 'EINVALID_SIGNAL');
  return number;
}

/** The signal's name for a number, e.g. for an exit status of 128+n. */
export function signalName(number: number): SignalName | undefined {
  return byNumber.get(number);
}
