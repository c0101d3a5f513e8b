/**
 * A random tree from the escape zoo (test/helpers/escape-zoo.ts) plus a
 * forker that keeps forking while the teardown runs. Under process groups,
 * the escapees that leave the group by design (setsid, a new process group)
 * are left out: no mechanism of that kind can hold them.
 */
import { escapees, LONG_SLEEP } from '../helpers/escape-zoo.js';
import type { Random } from './random.js';

export type Escapee = keyof typeof escapees | 'forker';

/** Forks eight sleepers, one every 20 ms, then becomes one itself. */
const FORKER = `sh -c 'for i in 1 2 3 4 5 6 7 8; do ${LONG_SLEEP} & sleep 0.02; done; exec ${LONG_SLEEP}' &`;

const CGROUP_ESCAPEES: readonly Escapee[] = [
  'setsid',
  'doubleFork',
  'newProcessGroup',
  'ignoresTerm',
  'stopped',
  'forker',
];
const PGROUP_ESCAPEES: readonly Escapee[] = ['doubleFork', 'ignoresTerm', 'stopped', 'forker'];

export interface RandomTree {
  escapees: Escapee[];
  script: string;
  /** Processes certainly up once the tree has started (the forker's later children not counted). */
  initialSize: number;
}

export function randomTree(random: Random, mechanism: 'cgroup' | 'pgroup'): RandomTree {
  const pool = mechanism === 'cgroup' ? CGROUP_ESCAPEES : PGROUP_ESCAPEES;
  const chosen = pool.filter(() => random.chance(0.6));
  const lines = chosen.map((name) => (name === 'forker' ? FORKER : escapees[name]));
  return { escapees: chosen, script: `${lines.join('\n')}\nexec ${LONG_SLEEP}`, initialSize: chosen.length + 1 };
}
