import { readFileSync, writeFileSync, constants, mkdirSync, rmdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessGroup } from '../src/index.js';
import { createCgroupContainment } from '../src/mechanisms/cgroup/cgroup-containment.js';
import { realCgroupFs, type CgroupFs } from '../src/mechanisms/cgroup/cgroup-fs.js';
import { newTag, cleanUpEverything } from './lib/leftovers.js';
import { waitForTree } from './lib/tree-identity.js';
import { flatTreeScript } from './lib/tree-script.js';
import { timeTeardown } from './lib/measure.js';
import { summarize } from './lib/stats.js';
const WO = { flag: constants.O_WRONLY as unknown as string };
const syncFs: CgroupFs = {
  ...realCgroupFs,
  readFile: async (p) => readFileSync(p, 'utf8'),
  writeFile: async (p, d) => writeFileSync(p, d, WO),
  mkdir: async (p) => { mkdirSync(p); },
  rmdir: async (p) => rmdirSync(p),
};
const size = Number(process.argv[2] ?? 10);
const op = (process.argv[3] ?? 'hardKill') as 'kill' | 'shutdown';
const res: Record<string, number[]> = { async: [], sync: [] };
for (let i = 0; i < 10; i++) {
  for (const kind of ['async', 'sync']) {
    const c = await createCgroupContainment({ parent: undefined, limits: undefined, fs: kind === 'sync' ? syncFs : realCgroupFs });
    const g = ProcessGroup.fromContainment(c);
    const { tag, env } = newTag();
    g.spawn('sh', ['-c', flatTreeScript(size)], { env, stdio: 'ignore' });
    const members = await waitForTree(tag, size);
    await sleep(25);
    const t = await timeTeardown(async () => { await g[op](); }, members, 10000);
    res[kind]!.push(t.ms);
    await g.close();
  }
}
for (const k in res) console.log(k, op, size, summarize(res[k]!).median.toFixed(2), res[k]!.map((x) => x.toFixed(1)).join(' '));
await cleanUpEverything();
