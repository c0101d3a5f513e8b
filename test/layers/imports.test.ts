/**
 * The layers of src/ (docs/development.md), read from the imports
 * themselves: a module imports only from its own layer or the layers below,
 * the two mechanisms never import each other, and outside its folder a
 * mechanism is reached only through its one surface, its index.ts. Each
 * entry of src/ must have a place in LAYERS, so a new folder cannot slip
 * past the rule.
 */
import test from 'ava';
import { dirname, relative, resolve, sep } from 'node:path';
import { hermetic } from '../helpers/hermetic.js';
import { sourceFiles } from '../helpers/source-files.js';

hermetic();

/** Bottom to top; the entries of src/ (folders, and files directly in it). */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'libc', 'proc', 'options'],
  ['driver', 'guard'],
  ['mechanisms'],
  ['group'],
  ['run', 'sweep', 'host'],
  ['supervise', 'pipeline', 'integrations'],
  ['cli'],
  ['index.ts'],
];
/** Folders of mechanisms/ that must not know each other; the rest of mechanisms/ (the contract, the spawn wrapper) knows neither. */
const MECHANISMS = ['cgroup', 'pgroup'];

const layerOf = (entry: string): number => LAYERS.findIndex((layer) => layer.includes(entry));

/** Relative module specifiers of a source text: static and dynamic imports, and re-exports. */
function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
}

/** Every import among `files` (paths relative to src/, with their text) that breaks the layering, one line each. */
function layerViolations(files: ReadonlyMap<string, string>): string[] {
  const violations: string[] = [];
  for (const [file, source] of files) {
    const [entry, sub] = file.split('/');
    if (layerOf(entry!) === -1)
      violations.push(`${file}: src/${entry} has no layer (add it to LAYERS here and to docs/development.md)`);
    for (const specifier of importsOf(source)) {
      const target = relative('/src', resolve('/src', dirname(file), specifier))
        .split(sep)
        .join('/');
      const [targetEntry, targetSub] = target.split('/');
      if (targetEntry !== entry && layerOf(targetEntry!) > layerOf(entry!)) {
        violations.push(`${file} imports ${specifier}: up from ${entry} to ${targetEntry}`);
      }
      const ownMechanism = entry === 'mechanisms' && MECHANISMS.includes(sub!) ? sub : undefined;
      if (
        entry === 'mechanisms' &&
        targetEntry === 'mechanisms' &&
        MECHANISMS.includes(targetSub!) &&
        targetSub !== ownMechanism
      ) {
        violations.push(
          `${file} imports ${specifier}: mechanisms/${targetSub} from ${ownMechanism ? `mechanisms/${ownMechanism}` : 'the shared part of mechanisms/'}`,
        );
      } else if (
        entry !== 'mechanisms' &&
        targetEntry === 'mechanisms' &&
        MECHANISMS.includes(targetSub!) &&
        target !== `mechanisms/${targetSub}/index.js`
      ) {
        violations.push(
          `${file} imports ${specifier}: inside mechanisms/${targetSub}, whose one surface is its index.ts`,
        );
      }
    }
  }
  return violations;
}

test("no module of src/ imports from a layer above its own or past a mechanism's surface, and cgroup and pgroup do not know each other", (t) => {
  const files = sourceFiles();
  t.true(files.size > 50, 'src/ was read');
  t.deepEqual(layerViolations(files), []);
});

test('the check sees an upward import, a dynamic one, one between the mechanisms, one past a surface and a folder with no layer', (t) => {
  const files = new Map([
    ['options/a.ts', "import { x } from '../driver/graceful.js';"],
    ['group/b.ts', "import type { Containment } from '../mechanisms/containment.js';\nexport { y } from './c.js';"],
    [
      'sweep/f.ts',
      "import { g } from '../mechanisms/cgroup/index.js';\nimport { h } from '../mechanisms/cgroup/owner.js';",
    ],
    [
      'group/g.ts',
      "const p = await import('../mechanisms/pgroup/index.js');\nimport { m } from '../mechanisms/pgroup/p.js';",
    ],
    ['mechanisms/cgroup/c.ts', "const p = await import('../pgroup/p.js');"],
    ['mechanisms/containment.ts', "export type { T } from './cgroup/t.js';"],
    ['mechanisms/pgroup/d.ts', "import { e } from '../../errors.js';\nimport type { C } from '../containment.js';"],
    ['newfolder/e.ts', "import { z } from 'node:fs';"],
  ]);
  t.deepEqual(layerViolations(files), [
    'options/a.ts imports ../driver/graceful.js: up from options to driver',
    'sweep/f.ts imports ../mechanisms/cgroup/owner.js: inside mechanisms/cgroup, whose one surface is its index.ts',
    'group/g.ts imports ../mechanisms/pgroup/p.js: inside mechanisms/pgroup, whose one surface is its index.ts',
    'mechanisms/cgroup/c.ts imports ../pgroup/p.js: mechanisms/pgroup from mechanisms/cgroup',
    'mechanisms/containment.ts imports ./cgroup/t.js: mechanisms/cgroup from the shared part of mechanisms/',
    'newfolder/e.ts: src/newfolder has no layer (add it to LAYERS here and to docs/development.md)',
  ]);
});
