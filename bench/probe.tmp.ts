import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeContender } from './contenders/registry.js';
import { newTag, cleanUpEverything } from './lib/leftovers.js';
import { waitForTree } from './lib/tree-identity.js';
import { flatTreeScript } from './lib/tree-script.js';
import { timeTeardown } from './lib/measure.js';
const size = Number(process.argv[2] ?? 10);
const settle = Number(process.argv[3] ?? 25);
const op = (process.argv[4] ?? 'hardKill') as 'hardKill' | 'shutdown';
for (const id of ['kernel-cgroup', 'corral-cgroup', 'kernel-cgroup', 'corral-cgroup', 'kernel-cgroup', 'corral-cgroup', 'kernel-cgroup', 'corral-cgroup'] as const) {
  const c = makeContender(id);
  const { tag, env } = newTag();
  const tree = await c.start(flatTreeScript(size), env);
  const members = await waitForTree(tag, size);
  await sleep(settle);
  const t = await timeTeardown(() => tree[op](), members, 10000);
  console.log(id, t.ms.toFixed(2));
  await tree.dispose();
}
await cleanUpEverything();
