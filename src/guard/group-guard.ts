/**
 * The supervisor's side of the guard: one guard process per supervisor,
 * started lazily with the first tracked group, told every change, and told
 * goodbye when Node exits normally. It remembers what it told the guard, so
 * that a guard that died (killed by hand, say) is replaced by a new one that
 * learns the whole registry again, and so that repeating an unchanged track()
 * costs nothing.
 */
import type { GuardRecord } from './record.js';
import { startGuardProcess, type GuardProcess } from './guard-process.js';
import { forgetLine, GOODBYE_LINE, isSendable, rememberLine, type SlottedRecord } from './protocol.js';

/**
 * What ProcessGroup tells the guard: each group as it is created, changed and
 * closed, so that it can tear the trees down if this process dies without
 * running any JavaScript.
 */
export interface GroupGuard {
  /** Replace what the guard knows of group `id`. */
  track(id: string, records: GuardRecord[]): void;
  /** The group was closed (or stood down): the guard must leave it alone. */
  untrack(id: string): void;
}

/** A guard that died is replaced at most this often, so a host where sh cannot run does not spin. */
const MAX_RESTARTS = 5;

interface Tracked {
  /** The records as last sent, to skip repeats. */
  key: string;
  slotted: SlottedRecord[];
}

class GuardConnection implements GroupGuard {
  readonly #groups = new Map<string, Tracked>();
  #process: GuardProcess | undefined;
  #nextSlot = 0;
  #restarts = 0;
  #exiting = false;
  #gaveUp = false;

  constructor() {
    process.on('exit', () => {
      this.#exiting = true;
      this.#process?.send(GOODBYE_LINE);
    });
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  track(id: string, records: GuardRecord[]): void {
    const sendable = records.filter(isSendable);
    const key = JSON.stringify(sendable);
    const old = this.#groups.get(id);
    if (old?.key === key) return;
    const slotted = sendable.map((record) => ({ slot: this.#nextSlot++, record }));
    this.#groups.set(id, { key, slotted });
    // One write, new records before the old are forgotten: whenever we die,
    // the guard knows the group by one version or the other.
    this.#send(slotted.map(rememberLine).join('') + forgetLine(old?.slotted.map((s) => s.slot) ?? []));
  }

  untrack(id: string): void {
    const old = this.#groups.get(id);
    if (!old) return;
    this.#groups.delete(id);
    this.#send(forgetLine(old.slotted.map((s) => s.slot)));
  }

  #send(text: string): void {
    if (text === '' || this.#gaveUp) return;
    if (this.#process) {
      this.#process.send(text);
      return;
    }
    // A new guard (the first, or a replacement) learns the whole registry,
    // which already includes `text`.
    this.#start();
  }

  #start(): void {
    let started: GuardProcess;
    try {
      started = startGuardProcess({ onGone: (error) => this.#onGone(started, error) });
    } catch (error) {
      this.#giveUp(error);
      return;
    }
    this.#process = started;
    let everything = '';
    for (const { slotted } of this.#groups.values()) everything += slotted.map(rememberLine).join('');
    started.send(everything);
  }

  #onGone(gone: GuardProcess, error: Error | undefined): void {
    if (this.#process !== gone) return;
    this.#process = undefined;
    if (this.#exiting) return;
    if (error || ++this.#restarts > MAX_RESTARTS) {
      this.#giveUp(error);
      return;
    }
    if (this.#groups.size > 0) this.#start();
  }

  #giveUp(error: unknown): void {
    this.#gaveUp = true;
    process.emitWarning(
      `corral: the guard process could not be ${error ? 'started' : 'kept running'}` +
        (error ? ` (${String(error)})` : ` after ${MAX_RESTARTS} restarts`) +
        '; groups will not be torn down if this process is killed (run `corral sweep` afterwards)',
      { code: 'CORRAL_GUARD' },
    );
  }
}

let connection: GuardConnection | undefined;

/** This process's guard connection (the guard process itself starts with the first tracked group). */
export function acquireGuard(): GroupGuard {
  connection ??= new GuardConnection();
  return connection;
}

/** The guard's pid while one runs: for tests and diagnostics. */
export function currentGuardPid(): number | undefined {
  return connection?.pid;
}
