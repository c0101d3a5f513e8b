// Part of `npm run build:tests` (scripts/build-tests.sh): each compiled test
// file in build/compiled/test/, and each script the tests start as a Node
// process, becomes one ES module that holds every module of ours it imports,
// written over the file tsc made, in the same place.
//
// Why: ava starts a process per test file, and each one loaded ~60 of our
// small modules through Node's ESM loader, one by one: about 45 ms of CPU
// per file here, 10 ms once bundled. Under TCG in the guest (test-vm/) that
// is most of a second per file, twice over (root and the delegated user).
//
// What stays as it was:
// - every module still sees its own location: import.meta.url, dirname and
//   filename are replaced, module by module, with those of the file tsc
//   wrote (still there: fixtures and scripts that tests start as processes
//   import those, and paths such as ../guard/guard.sh are found from them);
// - packages stay outside the bundle (ava, ffi-rs, ...), found from the
//   same directory as before;
// - the suite's TypeScript form (tsx, c8) is not touched.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const compiled = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'compiled');

function testFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith('.test.js'))
    .map((name) => join(dir, name));
}

/**
 * The scripts that tests start as Node processes (through
 * test/helpers/node-script.ts), which load as many of our modules. One left
 * off this list still works, module by module.
 */
function startedScripts() {
  const fixtures = join(compiled, 'test', 'fixtures');
  return [
    ...readdirSync(fixtures)
      .filter((name) => name.endsWith('.js'))
      .map((name) => join(fixtures, name)),
    join(compiled, 'test', 'guard', 'supervisor', 'supervisor.js'),
    join(compiled, 'test', 'guard', 'supervisor', 'exits-naturally.js'),
    join(compiled, 'examples', 'job-queue', 'worker.js'),
  ];
}

/**
 * Each module keeps the URL, directory and file name of its own file, not
 * the bundle's. They are found at run time from the bundle's own URL (the
 * checkout moves: the guest runs a copy of it elsewhere), through ROOT, the
 * compiled tree's root, which each bundle's banner defines.
 */
const ROOT = '__corralCompiledRoot';
const TO_PATH = '__corralFileURLToPath';
const DIRNAME = '__corralDirname';
const ownLocation = {
  name: 'own-location',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      if (!text.includes('import.meta')) return undefined; // esbuild reads it as it is
      const url = `new URL(${JSON.stringify(relative(compiled, path))}, ${ROOT})`;
      return {
        contents: text
          .replaceAll('import.meta.url', `${url}.href`)
          .replaceAll('import.meta.dirname', `${DIRNAME}(${TO_PATH}(${url}))`)
          .replaceAll('import.meta.filename', `${TO_PATH}(${url})`),
        loader: 'js',
      };
    });
  },
};

// One build per depth below the compiled root, so that each bundle's ROOT is one relative URL.
const byDepth = new Map();
for (const file of [...testFiles(join(compiled, 'test')), ...startedScripts()]) {
  const depth = relative(compiled, dirname(file)).split(sep).length;
  byDepth.set(depth, [...(byDepth.get(depth) ?? []), file]);
}
let bundled = 0;
for (const [depth, entryPoints] of byDepth) {
  await build({
    entryPoints,
    outdir: compiled,
    outbase: compiled,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    plugins: [ownLocation],
    banner: {
      js: [
        `import { fileURLToPath as ${TO_PATH} } from 'node:url';`,
        `import { dirname as ${DIRNAME} } from 'node:path';`,
        `const ${ROOT} = new URL(${JSON.stringify('../'.repeat(depth))}, import.meta.url);`,
      ].join('\n'),
    },
    logLevel: 'warning',
  });
  bundled += entryPoints.length;
}
console.log(`bundle-tests: ${bundled} test files and scripts bundled`);
