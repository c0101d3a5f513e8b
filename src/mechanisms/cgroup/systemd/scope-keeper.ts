/**
 * The delegated scope of this process: asked for at most once (every group
 * made afterwards finds its own cgroup writable and lives there too), with
 * concurrent create() calls sharing the one attempt. A refusal that came
 * from systemd is remembered as well, so that a process whose manager said
 * no (or did not answer in time) does not ask again for every group; a
 * prospect that failed before any call (no bus, opted out) costs nothing
 * and is looked at afresh each time.
 */
import { basename } from 'node:path';
import { systemClock } from '../../../driver/clock.js';
import { readOwnCgroup } from '../hierarchy.js';
import { primerSettled } from '../migration-primer.js';
import { runBusctl } from './run-busctl.js';
import { optOutReason, realProspectHost, scopeProspect, type ProspectHost } from './scope-prospect.js';
import { cgroupIsInUnit, scopeUnitName } from './scope-unit.js';
import { startDelegatedScope, type ScopeOutcome, type StartScopeSeams, type SystemdScope } from './start-scope.js';

export interface ScopeKeeperSeams {
  host: () => ProspectHost;
  start: Omit<StartScopeSeams, 'unit'> & { unitName: () => string };
}

export class ScopeKeeper {
  readonly #seams: ScopeKeeperSeams;
  #attempt: Promise<ScopeOutcome> | undefined;
  #entered: SystemdScope | undefined;

  constructor(seams: ScopeKeeperSeams) {
    this.#seams = seams;
  }

  /** The scope this process was moved into, while it is still in it. */
  entered(): SystemdScope | undefined {
    const scope = this.#entered;
    return scope && cgroupIsInUnit(this.#seams.start.readOwnCgroup(), scope.unit) ? scope : undefined;
  }

  /** Move this process into a delegated scope of its systemd manager, or say why not. */
  async enter(allowed: boolean): Promise<ScopeOutcome> {
    const already = this.entered();
    if (already) return { scope: already };
    if (!allowed) return { reason: optOutReason() };
    if (this.#attempt === undefined) {
      const prospect = scopeProspect(true, this.#seams.host());
      if ('reason' in prospect) return prospect;
      const { unitName, ...start } = this.#seams.start;
      // A self-move still in flight (migration-primer.ts) would move us back out of the scope.
      this.#attempt = primerSettled()
        .then(() => startDelegatedScope(prospect.bus, { ...start, unit: unitName() }))
        .then((outcome) => {
          if ('scope' in outcome) this.#entered = outcome.scope;
          return outcome;
        });
    }
    return this.#attempt;
  }
}

/** The one keeper of this process. */
export const processScope = new ScopeKeeper({
  host: () => realProspectHost(),
  start: {
    busctl: runBusctl,
    clock: systemClock,
    readOwnCgroup: () => readOwnCgroup(),
    pid: process.pid,
    unitName: () => scopeUnitName(process.pid),
    description: `corral: delegated cgroup for ${basename(process.argv[1] ?? process.argv0)} (pid ${process.pid})`,
  },
});
