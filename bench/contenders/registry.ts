/** Every contender, by id: the benchmark's main process and its scale worker pick from here. */
import type { Contender } from './contender.js';
import { corral } from './corral.js';
import { execaContender } from './execa.js';
import { kernelCgroup } from './kernel-cgroup.js';
import { kernelKillpg } from './kernel-killpg.js';
import { treeKillContender } from './tree-kill.js';

export const CONTENDER_IDS = [
  'kernel-cgroup',
  'kernel-killpg',
  'corral-cgroup',
  'corral-pgroup',
  'tree-kill',
  'execa',
  'poll-20ms',
] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

export function makeContender(id: ContenderId): Contender {
  switch (id) {
    case 'kernel-cgroup':
      return kernelCgroup('inotify');
    case 'poll-20ms':
      return kernelCgroup('poll20');
    case 'kernel-killpg':
      return kernelKillpg();
    case 'corral-cgroup':
      return corral('cgroup');
    case 'corral-pgroup':
      return corral('pgroup');
    case 'tree-kill':
      return treeKillContender();
    case 'execa':
      return execaContender();
  }
}
