/**
 * Shell snippets for the processes that escape naive tree killers. Each one
 * leaves exactly one long-lived `sleep` (the hook that looks for leaks
 * recognises `sleep` >= 100 s). Run them with `sh -c`, tagged. perl is
 * Debian's essential perl-base, there wherever sh is.
 */
import { locateHierarchy } from '../../src/mechanisms/cgroup/hierarchy.js';

export const LONG_SLEEP = 'sleep 1000';

/** Where cgroup2 is mounted here ('' without it: the nested member then stays where it is). */
const CGROUP2_MOUNT = locateHierarchy().mount?.mountPoint ?? '';
/** Where the nested member goes, below its group's directory. */
export const NESTED_CGROUP = 'zoo-nested/deeper';

/**
 * Makes `<its corral group>/zoo-nested/deeper` and moves itself there, as a
 * nested corral, a container runtime or systemd-run would: out of the
 * group's own cgroup.procs. Only inside a corral group directory (named
 * corral-<pid>-...; under pgroup, or where it may not write, it just stays),
 * so it never makes cgroups anywhere else.
 */
const NESTED =
  `while read -r l; do case $l in 0::*) own=\${l#0::};; esac; done </proc/self/cgroup; ` +
  `case \${own##*/} in corral-[0-9]*) d="${CGROUP2_MOUNT}$own/${NESTED_CGROUP}"; ` +
  `mkdir -p "$d" 2>/dev/null && echo $$ 2>/dev/null >"$d/cgroup.procs";; esac; exec ${LONG_SLEEP}`;

export const escapees = {
  /** A child in a new session: out of every process group of ours. */
  setsid: `setsid ${LONG_SLEEP} &`,
  /** A double fork: the grandchild is reparented to init (or a subreaper). */
  doubleFork: `(sh -c '${LONG_SLEEP} &' &)`,
  /** A child that moves itself into a new process group (job control). */
  newProcessGroup: `perl -e 'setpgrp(0, 0); exec @ARGV' ${LONG_SLEEP} &`,
  /** A member that ignores SIGTERM (SIG_IGN survives exec). */
  ignoresTerm: `sh -c 'trap "" TERM; exec ${LONG_SLEEP}' &`,
  /** A stopped member (it stops itself, so the stop cannot race its exec). */
  stopped: `sh -c 'kill -STOP $$; exec ${LONG_SLEEP}' &`,
  /** A member that makes a cgroup of its own inside the group and enters it (when it can). */
  nestedCgroup: `sh -c '${NESTED}' &`,
  /**
   * A member that keeps forking during the teardown: from its first SIGTERM
   * on it starts a `setsid sleep 1000` every 5 ms (up to 200), so a killer
   * that lists the tree once and then kills it leaves the latest ones behind.
   * It names itself `sleep` (in /proc/self/comm: perl's $0 would also wipe
   * the environment /proc shows, and with it the test tag), so it counts as
   * settled and as one long-lived process until then.
   */
  forker: `perl -e 'open my $comm, ">", "/proc/self/comm"; print $comm "sleep"; close $comm; $SIG{TERM} = sub { $go = 1 }; for (;;) { if ($go && $n++ < 200) { my $p = fork; exec "setsid", "sleep", "1000" if defined $p && $p == 0; select undef, undef, undef, 0.005 } else { sleep 1 } }' &`,
} as const;

export type Escapee = keyof typeof escapees;

/** The default zoo: the escapees that sit still until they are killed. */
const STILL: Escapee[] = ['setsid', 'doubleFork', 'newProcessGroup', 'ignoresTerm', 'stopped', 'nestedCgroup'];

/** Every escapee, the forker included. */
export const FULL_ZOO: Escapee[] = [...STILL, 'forker'];

/** The escapees (default: all but the forker), then the script waits forever (exec'd sleep) as the leader. */
export function zooScript(names: Escapee[] = STILL): string {
  return `${names.map((n) => escapees[n]).join('\n')}\nexec ${LONG_SLEEP}`;
}

/** How many long-lived processes zooScript(names) leaves: one per escapee plus the leader. */
export function zooSize(names: Escapee[] = STILL): number {
  return names.length + 1;
}
