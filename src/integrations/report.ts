/**
 * The machine-readable report of leftovers: a JSON array with one entry per
 * test file that left something behind, `[]` for a clean run. One ledger per
 * report path in this process (several vitest projects, or several pools,
 * may name the same file), rewritten whole after every test file that ends,
 * so a runner killed halfway still leaves a report of what it saw.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LeftoverProcess } from '../run/run.js';
import type { FileLeftovers } from './leftovers.js';

export class LeftoversLedger {
  readonly #path: string | undefined;
  readonly #byFile = new Map<string, LeftoverProcess[]>();

  constructor(path: string | undefined) {
    this.#path = path;
  }

  /** Charge `file` with `leftovers` (none: the file ended clean) and rewrite the report. */
  record(file: string, leftovers: readonly LeftoverProcess[]): void {
    if (leftovers.length > 0) this.#byFile.set(file, [...(this.#byFile.get(file) ?? []), ...leftovers]);
    this.#write();
  }

  #write(): void {
    if (this.#path === undefined) return;
    mkdirSync(dirname(this.#path), { recursive: true });
    // Written beside it, then renamed: a reader never sees half a report.
    const partial = `${this.#path}.${process.pid}.partial`;
    const entries: FileLeftovers[] = [...this.#byFile].map(([file, leftovers]) => ({ file, leftovers }));
    writeFileSync(partial, `${JSON.stringify(entries, null, 2)}\n`);
    renameSync(partial, this.#path);
  }
}

const ledgers = new Map<string | undefined, LeftoversLedger>();

/** The one ledger of this process for `path` (undefined: leftovers are only named in the output). */
export function ledgerFor(path: string | undefined): LeftoversLedger {
  const ledger = ledgers.get(path) ?? new LeftoversLedger(path);
  ledgers.set(path, ledger);
  return ledger;
}
