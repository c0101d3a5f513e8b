/**
 * Shell snippets for the processes that escape naive tree killers. Each one
 * leaves exactly one long-lived `sleep` (the hook that looks for leaks
 * recognises `sleep` >= 100 s). Run them with `sh -c`, tagged. perl is
 * Debian's essential perl-base, there wherever sh is.
 */
export const LONG_SLEEP = 'sleep 1000';

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
} as const;

/** Every escapee, then the script waits forever (exec'd sleep) as the leader. */
export function zooScript(names: Array<keyof typeof escapees> = Object.keys(escapees) as Array<keyof typeof escapees>): string {
  return `${names.map((n) => escapees[n]).join('\n')}\nexec ${LONG_SLEEP}`;
}

/** How many long-lived processes zooScript(names) leaves: one per escapee plus the leader. */
export function zooSize(names: Array<keyof typeof escapees> = Object.keys(escapees) as Array<keyof typeof escapees>): number {
  return names.length + 1;
}
