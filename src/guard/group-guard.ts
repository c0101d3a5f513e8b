/**
 * The supervisor's side of the guard: one guard process per supervisor,
 * started lazily with the first tracked group, told every change, and told
 * goodbye when Node exits normally. It remembers what it told the guard, so
 * that a guard that died (killed by hand, say) is replaced by a new one that
 * learns the whole registry again, and so that repeating an unchanged track()
 * costs nothing.
 */
import type { GuardRecord } from './record.js';
import { startGuardProcess, type GuardProcess, type GuardProcessEvents } from './guard-process.js';
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

type StartGuard = (events: GuardProcessEvents) => GuardProcess;

/** Exported for its tests, which start a recording fake instead of the guard; everyone else uses acquireGuard(). */
export class GuardConnection implements GroupGuard {
  /** Each group's records the guard holds, by their text, with their slots. */
  readonly #groups = new Map<string, Map<string, SlottedRecord>>();
  #process: GuardProcess | undefined;
  #nextSlot = 0;
  #restarts = 0;
  #exiting = false;
  #gaveUp = false;

  readonly #startGuard: StartGuard;

  constructor(startGuard: StartGuard = startGuardProcess) {
    this.#startGuard = startGuard;
    process.on('exit', () => {
      this.#exiting = true;
      this.#process?.send(GOODBYE_LINE);
    });
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /**
   * Only the difference is sent: records new since the last call get new slots, records gone are forgotten, the
   * rest keep theirs. A fallback group has a record per member, changing all through a teardown; resending all of
   * them cost the guard (a shell) milliseconds per hundred members, on the CPUs the teardown needs.
   */
  track(id: string, records: GuardRecord[]): void {
    const previous = this.#groups.get(id) ?? new Map<string, SlottedRecord>();
    const slots = new Map<string, SlottedRecord>();
    const added: SlottedRecord[] = [];
    for (const record of records.filter(isSendable)) {
      const text = JSON.stringify(record);
      if (slots.has(text)) continue;
      let slotted = previous.get(text);
      if (slotted === undefined) {
        slotted = { slot: this.#nextSlot++, record };
        added.push(slotted);
      }
      slots.set(text, slotted);
    }
    const dropped = [...previous].filter(([text]) => !slots.has(text)).map(([, slotted]) => slotted.slot);
    this.#groups.set(id, slots);
    // One write, new records before the old are forgotten: whenever we die,
    // the guard knows the group by one version or the other. An unchanged
    // group sends nothing (#send skips an empty text).
    this.#send(added.map(rememberLine).join('') + forgetLine(dropped));
  }

  untrack(id: string): void {
    const old = this.#groups.get(id);
    if (!old) return;
    this.#groups.delete(id);
    this.#send(forgetLine([...old.values()].map((s) => s.slot)));
  }

  #send(text: string): void {
    if (text === '' || this.#gaveUp) return;
    if (this.#process) this.#process.send(text);
    // A new guard (the first, or a replacement) learns the whole registry, which already includes `text`.
    else this.#start();
  }

  #start(): void {
    let started: GuardProcess;
    try {
      started = this.#startGuard({ onGone: (error) => this.#onGone(started, error) });
    } catch (error) {
      this.#giveUp(error);
      return;
    }
    this.#process = started;
    let everything = '';
    for (const slots of this.#groups.values()) everything += [...slots.values()].map(rememberLine).join('');
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
