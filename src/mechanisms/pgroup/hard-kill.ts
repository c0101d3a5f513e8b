/**
 * The fallback's hard kill: stop the tree from growing, then kill it.
 * SIGKILL sent to a walked list leaves a gap: a member that forks after the
 * walk and before its SIGKILL has a child nobody listed, re-parented by the
 * kill before anyone looks again. So:
 * 1. SIGSTOP each tracked group with killpg, before any walk: the kernel
 *    signals a process group atomically against fork, so nothing in our
 *    groups forks after this;
 * 2. walk, and SIGSTOP (pidfd-pinned) every member found outside our
 *    groups; walk again while a walk finds someone new outside (a tree that
 *    never left its groups costs one walk);
 * 3. SIGKILL the same way (SIGKILL ends stopped processes too).
 * Nothing dies before step 3, so no parent link breaks while we walk; every
 * walk reads a /proc table scanned after the last stop. A group found empty
 * is dropped only once the kill is done: until then its session still roots
 * the walk. Only a member that could not be stopped (EPERM) can have forked
 * after its walk; when there was one, or the rounds ran out, the kill looks
 * again after step 3 and kills anyone new the same way, a bounded number of
 * times. This loop is the only re-kill: the drain wait that follows only reads.
 */
import { signalNumber } from '../../options/signals.js';
import type { ProcStat } from '../../proc/stat.js';
import type { FallbackRuntime } from './fallback-runtime.js';
import type { GroupRegistry, TrackedGroup } from './group-registry.js';
import type { PinnedProcess } from './pinned-process.js';
import { outsideGroups, signalGroups, type MemberFailure } from './signal-members.js';

/** The group a hard kill works on. */
export interface KillTarget {
  readonly registry: GroupRegistry;
  readonly runtime: FallbackRuntime;
  /** The live members, from a table scanned after change `since`, recorded as seen. */
  walk(since: number): ProcStat[];
}

/** A walk that keeps finding new members after this many rounds has some it cannot stop: kill, then look again. */
const MAX_ROUNDS = 64;

/** Kill passes at most: the first, and the looks after it for forks of members that could not be stopped. */
const MAX_PASSES = 4;

/** What a hard kill did: the members it could not kill, and whether every member was stopped before the kill. */
export interface KillOutcome {
  failures: MemberFailure[];
  /** Nothing could fork after its walk: the tree is exactly what the last walk saw, all of it sent SIGKILL. */
  whole: boolean;
}

interface Stopped {
  /** The ticket a walk's table must be newer than. */
  since: number;
  allStopped: boolean;
  emptied: readonly TrackedGroup[];
}

/** Step 1. */
export function stopGroups({ registry, runtime }: KillTarget): Stopped {
  const { failures, emptied } = signalGroups(registry, registry.groups(), 'SIGSTOP');
  return { since: runtime.noteChange(), allStopped: failures.length === 0, emptied };
}

/**
 * Steps 2 and 3, again (at most MAX_PASSES times) while a member that could not be stopped may have forked
 * before its SIGKILL. The members sent SIGKILL (pid to start time) are dying: neither stopped nor killed again.
 */
export function killStoppedTree(target: KillTarget, stopped: Stopped): KillOutcome {
  const killed = new Map<number, number>();
  const emptied = new Set(stopped.emptied);
  const done = (outcome: KillOutcome) => {
    for (const group of emptied) target.registry.markDead(group);
    return outcome;
  };
  for (let pass = 1, step = stopped; ; pass++) {
    const { failures, allStopped } = killPass(target, killed, step.since);
    const whole = step.allStopped && allStopped;
    if (whole || pass === MAX_PASSES) return done({ failures, whole: whole && pass === 1 && failures.length === 0 });
    step = stopGroups(target);
    for (const group of step.emptied) emptied.add(group);
    const failed = new Set(failures.map((failure) => failure.pid));
    const unkilled = (member: ProcStat) => killed.get(member.pid) !== member.startTime && !failed.has(member.pid);
    if (!target.walk(step.since).some(unkilled)) return done({ failures, whole: false });
  }
}

/** One stop-walk-kill pass; adds whom it killed to `killed`; allStopped: every member outside the groups was. */
function killPass(target: KillTarget, killed: Map<number, number>, since: number) {
  const { registry, runtime } = target;
  const pinned = new Map<number, PinnedProcess>();
  const seen = new Map<number, number>();
  let allStopped = true;
  let round = 0;
  try {
    for (; round < MAX_ROUNDS; round++) {
      const members = target.walk(since).filter((member) => killed.get(member.pid) !== member.startTime);
      const fresh = members.filter((member) => seen.get(member.pid) !== member.startTime);
      for (const member of fresh) seen.set(member.pid, member.startTime);
      const outside = outsideGroups(fresh, registry.groups());
      if (outside.length === 0) break;
      for (const member of outside) {
        const pin = registry.host.pin(member.pid, member.startTime);
        if (pin === undefined) continue;
        pinned.set(member.pid, pin);
        const { errno } = pin.signal(signalNumber('SIGSTOP'));
        if (errno !== undefined && errno !== 'ESRCH') allStopped = false;
      }
      since = runtime.noteChange();
    }
    if (round === MAX_ROUNDS) allStopped = false;
    const { failures } = signalGroups(registry, registry.groups(), 'SIGKILL');
    for (const pin of pinned.values()) {
      const { errno } = pin.signal(signalNumber('SIGKILL'));
      if (errno !== undefined && errno !== 'ESRCH')
        failures.push({ pid: pin.pid, errno, syscall: 'pidfd_send_signal' });
    }
    const failed = new Set(failures.map((failure) => failure.pid));
    for (const [pid, startTime] of seen) if (!failed.has(pid)) killed.set(pid, startTime);
    return { failures, allStopped };
  } finally {
    for (const pin of pinned.values()) pin.unpin();
  }
}
