// Which file watcher sees which change, and how soon: Node's recursive fs.watch
// against chokidar. Usage: node scripts/measure-watchers.mjs fs|chokidar
// (docs/supervision.md quotes its output). Each step waits at most 2 s for an event.
import { watch } from 'node:fs';
import { mkdtempSync, mkdirSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const which = process.argv[2];
const root = mkdtempSync(join(tmpdir(), 'watch-measure-'));
mkdirSync(join(root, 'a/b/c'), { recursive: true });
writeFileSync(join(root, 'a/b/c/x.js'), '1');
let resolveEvent;
const onEvent = (path) => resolveEvent?.(path);
let close;
const t0 = performance.now();
if (which === 'fs') {
  const w = watch(root, { recursive: true }, (_e, name) => onEvent(name));
  close = () => w.close();
} else {
  const { watch: cw } = await import('chokidar');
  const w = cw(root, { ignoreInitial: true });
  w.on('all', (_e, p) => onEvent(p));
  await new Promise((r) => w.once('ready', r));
  close = () => w.close();
}
const setup = performance.now() - t0;
async function step(name, act) {
  const seen = new Promise((r) => (resolveEvent = r));
  const start = performance.now();
  act();
  const got = await Promise.race([seen, new Promise((r) => setTimeout(() => r(null), 2000))]);
  resolveEvent = undefined;
  console.log(`${which} ${name}: ${got === null ? 'MISSED' : `${(performance.now() - start).toFixed(1)} ms`}`);
  await new Promise((r) => setTimeout(r, 300)); // let stragglers of this step pass
}
console.log(`${which} ready in ${setup.toFixed(1)} ms`);
await step('modify a nested file', () => writeFileSync(join(root, 'a/b/c/x.js'), '2'));
await step('new subdirectory', () => mkdirSync(join(root, 'a/new')));
await new Promise((r) => setTimeout(r, 300));
await step('file in the new subdirectory', () => writeFileSync(join(root, 'a/new/y.js'), '1'));
await step('rename a file', () => renameSync(join(root, 'a/b/c/x.js'), join(root, 'a/b/c/z.js')));
await step('rename a directory', () => {
  renameSync(join(root, 'a/b'), join(root, 'a/bb'));
});
await new Promise((r) => setTimeout(r, 300));
await step('file in the renamed directory', () => writeFileSync(join(root, 'a/bb/c/z.js'), '3'));
close();
rmSync(root, { recursive: true, force: true });
