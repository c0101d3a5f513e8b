/**
 * corral itself, through its public API only (src/index.ts): one
 * ProcessGroup per tree, created with the given mechanism and otherwise
 * default options (so the guard is on where it exists), the tree started
 * with group.spawn, torn down with group.kill() or group.shutdown().
 */
import { ProcessGroup } from '../../src/index.js';
import type { ChildrenTree, Contender, Tree } from './contender.js';

function treeOf(group: ProcessGroup): Tree {
  return {
    hardKill: () => group.kill(),
    shutdown: async () => {
      await group.shutdown();
    },
    dispose: () => group.close(),
  };
}

export function corral(mechanism: 'cgroup' | 'pgroup'): Contender {
  return {
    id: `corral-${mechanism}`,
    label: `corral (${mechanism})`,
    async start(script, env) {
      const group = await ProcessGroup.create({ mechanism });
      try {
        group.spawn('sh', ['-c', script], { env, stdio: 'ignore' });
      } catch (error) {
        await group.close();
        throw error;
      }
      return treeOf(group);
    },
    async startChildren(count, env): Promise<ChildrenTree> {
      const group = await ProcessGroup.create({ mechanism });
      const children = [];
      try {
        for (let i = 0; i < count; i++) children.push(group.spawn('sleep', ['1000'], { env, stdio: 'ignore' }));
      } catch (error) {
        await group.close();
        throw error;
      }
      return { ...treeOf(group), children };
    },
  };
}
