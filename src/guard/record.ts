/**
 * What the guard process needs to tear a group down after its owner died: a cgroup directory (kill it, remove
 * it), or a process group with its leader's start time (kill the group only while the leader pid still belongs
 * to the process we started, or the group still has members that started after it); for the pgroup fallback also
 * its marker (every process still carrying CORRAL_GROUP=<marker> is a member) and the members its tree walk saw
 * outside its process groups (pid + start time).
 */
export type GuardRecord =
  | { kind: 'cgroup'; path: string }
  | { kind: 'pgroup'; pgid: number; leaderStartTime: number }
  | { kind: 'marker'; marker: string }
  | { kind: 'process'; pid: number; startTime: number };
