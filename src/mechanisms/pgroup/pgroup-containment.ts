/**
 * The POSIX process-group mechanism, the fallback where cgroup v2 is not
 * usable: every spawned child leads a process group of its own, and the
 * tree is whatever still carries one of those pgids. Signals go to whole
 * groups through killpg(2); "drained" means no tracked group has a live
 * (non-zombie) member left. A descendant that calls setsid() or setpgid()
 * leaves its group and so escapes; cgroup v2 has no such hole.
 * There is no change notification, so the driver polls isDrained().
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Clock } from '../../driver/clock.js';
import { hardKillAndWait } from '../../driver/graceful.js';
import type { Containment, GroupStats } from '../../group/containment.js';
import type { GuardRecord } from '../../guard/record.js';
import type { SignalOptions } from '../../driver/target.js';
import type { SignalName } from '../../options/signals.js';
import { clockTicksPerSecond } from './clock-ticks.js';
import { GroupRegistry } from './group-registry.js';
import { realHost, type PgroupHost } from './pgroup-host.js';
import { deliveryError, signalGroups, type Delivery } from './signal-groups.js';
import { spawnLeader } from './spawn-leader.js';
import type { TrackedGroup } from './tracked-group.js';

export function createPgroupContainment(host: PgroupHost = realHost): Containment {
  return new PgroupContainment(host);
}

class PgroupContainment implements Containment {
  readonly mechanism = 'pgroup' as const;
  readonly #host: PgroupHost;
  readonly #registry: GroupRegistry;

  constructor(host: PgroupHost) {
    this.#host = host;
    this.#registry = new GroupRegistry(host);
  }

  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    return spawnLeader(this.#registry, this.#host, file, args, options);
  }

  async signal(signal: SignalName, { thenContinue = false }: SignalOptions = {}): Promise<number> {
    const groups = this.#registry.groups();
    const members = this.#registry.liveMembers(groups);
    const delivery = this.#deliver(groups, signal);
    // Wake the groups that got the signal; one that emptied meanwhile has nobody left to wake.
    if (thenContinue) this.#deliver(delivery.reached, 'SIGCONT');
    const failure = deliveryError('ESIGNAL_FAILED', signal, delivery);
    if (failure) throw failure;
    const reached = new Set(delivery.reached.map((group) => group.pgid));
    return members.filter((member) => reached.has(member.pgid)).length;
  }

  async isDrained(): Promise<boolean> {
    return this.#registry.isDrained();
  }

  async hardKill(): Promise<void> {
    const failure = deliveryError('EKILL_FAILED', 'SIGKILL', this.#deliver(this.#registry.groups(), 'SIGKILL'));
    if (failure) throw failure;
  }

  async members(): Promise<number[]> {
    return this.#registry.liveMembers().map((stat) => stat.pid);
  }

  async suspend(): Promise<void> {
    await this.signal('SIGSTOP');
  }

  async resume(): Promise<void> {
    await this.signal('SIGCONT');
  }

  /** Live members only: the CPU time of members that already exited is gone with them. */
  async stats(): Promise<GroupStats> {
    const live = this.#registry.liveMembers();
    const stats: GroupStats = { processes: live.length };
    const ticksPerSecond = clockTicksPerSecond();
    if (ticksPerSecond !== undefined) {
      const ticks = live.reduce((sum, stat) => sum + stat.cpuTicks, 0);
      stats.cpuUsageMs = (ticks * 1000) / ticksPerSecond;
    }
    return stats;
  }

  /** Kill and wait for the drain; then there is nothing to remove but our records. */
  async tearDown(killTimeout: number, clock: Clock): Promise<void> {
    await hardKillAndWait(this, killTimeout, clock);
    this.#registry.forgetAll();
  }

  /** Forget the groups: they simply keep running. */
  async spare(): Promise<void> {
    this.#registry.forgetAll();
  }

  killSync(): void {
    this.#deliver(this.#registry.groups(), 'SIGKILL');
  }

  guardRecords(): GuardRecord[] {
    this.#registry.pruneEmpty();
    return this.#registry.groups().map(({ pgid, leaderStartTime }) => ({ kind: 'pgroup', pgid, leaderStartTime }));
  }

  #deliver(groups: readonly TrackedGroup[], signal: SignalName): Delivery {
    return signalGroups(this.#registry, this.#host, groups, signal);
  }
}
