/**
 * How a group's cgroup directory is named, in one place: the sweep of stale
 * groups (src/sweep) parses these names to find directories whose owner is
 * gone. The owner's pid and start time together name a process that pid
 * reuse cannot fake; the counter tells apart the groups of one owner; a
 * `-spared` suffix marks a group whose members were stood down and must be
 * left alone.
 */
const PATTERN = /^corral-(\d+)-(\d+)-(\d+)(-spared)?$/;

export interface GroupName {
  ownerPid: number;
  /** The owner's start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  ownerStartTime: number;
  counter: number;
  spared: boolean;
}

export function formatGroupName({ ownerPid, ownerStartTime, counter, spared }: GroupName): string {
  return `corral-${ownerPid}-${ownerStartTime}-${counter}${spared ? '-spared' : ''}`;
}

/** The parts of a corral group directory's name, or undefined when the name is not one of corral's. */
export function parseGroupName(name: string): GroupName | undefined {
  const match = PATTERN.exec(name);
  if (!match) return undefined;
  return {
    ownerPid: Number(match[1]),
    ownerStartTime: Number(match[2]),
    counter: Number(match[3]),
    spared: match[4] !== undefined,
  };
}
