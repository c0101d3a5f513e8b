/**
 * A 50-file vitest suite under corralPool() against vitest's own `forks`
 * pool, `vitest run` from spawn to exit, alternating (ABBA) in one run: what
 * a user pays for one corral group per test file. The suite is generated in
 * a temporary directory (each file one trivial test: the pool's own cost is
 * all there is to see); one run of each pool first, not counted, fills
 * vitest's caches. The vitest the benchmark's Node runs (vitest 5 on Node
 * >= 22.12, else 4), with the built corral/vitest (npm run build).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { killTaggedAndWait, newTag } from '../lib/leftovers.js';
import { alternatingOrder, pairedRatios, summarize } from '../lib/stats.js';
import type { Cell, Ratio } from '../report/results.js';
import { progress } from './progress.js';

export const VITEST_FORKS = "vitest's forks pool";
export const VITEST_CORRAL = 'corralPool()';
export const VITEST_FILES = 50;
const POOL_BUILD = 'dist/integrations/vitest.js';

function vitestBin(repo: string): { label: string; path: string } {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12)
    ? { label: 'vitest 5', path: join(repo, 'node_modules/vitest5/vitest.mjs') }
    : { label: 'vitest 4', path: join(repo, 'node_modules/vitest/vitest.mjs') };
}

function writeSuite(dir: string, repo: string): void {
  for (let i = 0; i < VITEST_FILES; i++) {
    writeFileSync(
      join(dir, `file-${String(i).padStart(2, '0')}.test.mjs`),
      `test('adds ${i}', () => { expect(${i} + 1).toBe(${i + 1}); });\n`,
    );
  }
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    `import { corralPool } from ${JSON.stringify(pathToFileURL(join(repo, POOL_BUILD)).href)};\n` +
      `export default { cacheDir: ${JSON.stringify(join(dir, '.cache'))}, test: { globals: true, include: ['*.test.mjs'], pool: process.env.BENCH_POOL === 'corral' ? corralPool() : 'forks' } };\n`,
  );
}

function cell(contender: string, samples: number[], errors: string[]): Cell {
  return {
    contender,
    label: contender,
    size: VITEST_FILES,
    samples,
    summary: summarize(samples),
    capped: false,
    leftover: 0,
    errors,
  };
}

export async function runVitestPool(repo: string, rounds: number): Promise<{ cells: Cell[]; ratios: Ratio[] }> {
  if (!existsSync(join(repo, POOL_BUILD)))
    return { cells: [cell(VITEST_CORRAL, [], [`${POOL_BUILD} is missing: run \`npm run build\` first`])], ratios: [] };
  const vitest = vitestBin(repo);
  const dir = mkdtempSync(join(tmpdir(), 'corral-bench-vitest-'));
  const { tag, env } = newTag();
  const childEnv = { ...env, NODE_OPTIONS: '', NODE_V8_COVERAGE: undefined, NO_COLOR: '1' };
  const samples = { forks: [] as number[], corral: [] as number[] };
  const errors = { forks: [] as string[], corral: [] as string[] };
  const runOnce = async (pool: 'forks' | 'corral'): Promise<number> => {
    const began = performance.now();
    const child = spawn(process.execPath, [vitest.path, 'run', '--configLoader', 'native', '--root', dir], {
      env: { ...childEnv, BENCH_POOL: pool },
      stdio: 'ignore',
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    const ms = performance.now() - began;
    if (code !== 0) errors[pool].push(`vitest run exited ${code}`);
    return code === 0 ? ms : Number.NaN;
  };
  try {
    writeSuite(dir, repo);
    progress(
      `vitest pool: ${vitest.label}, ${VITEST_FILES} files, ${VITEST_CORRAL} against ${VITEST_FORKS}, ${rounds} rounds after a warm-up`,
    );
    for (const pool of ['forks', 'corral'] as const) await runOnce(pool);
    for (let round = 0; round < rounds; round++) {
      for (const pool of alternatingOrder(round, 'forks' as const, 'corral' as const))
        samples[pool].push(await runOnce(pool));
    }
  } finally {
    await killTaggedAndWait(tag);
    rmSync(dir, { recursive: true, force: true });
  }
  const forks = `${VITEST_FORKS} (${vitest.label})`;
  const corral = `${VITEST_CORRAL} (${vitest.label})`;
  return {
    cells: [
      cell(forks, samples.forks, [...new Set(errors.forks)]),
      cell(corral, samples.corral, [...new Set(errors.corral)]),
    ],
    ratios: [
      {
        contender: corral,
        baseline: forks,
        size: VITEST_FILES,
        summary: summarize(pairedRatios(samples.corral, samples.forks)),
        atLeast: false,
      },
    ],
  };
}
