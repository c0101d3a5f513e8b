/**
 * What the guard process needs to tear a group down after its owner died:
 * a cgroup directory (kill it, remove it), or a process group together with
 * its leader's start time (kill the group only while the leader pid still
 * belongs to the process we started, or the group still has members that
 * started after it).
 */
export type GuardRecord =
  | { kind: 'cgroup'; path: string }
  | { kind: 'pgroup'; pgid: number; leaderStartTime: number };
