/**
 * `corral run -- true` against `node -e 0`, from spawn to exit, alternating
 * (ABBA) in one run: what a command-line user pays for corral over Node's
 * own start. Runs the built CLI (dist/cli/main.js, what `npx corral` runs)
 * on the Node of this benchmark; with no build it is reported as not
 * measured.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { killTaggedAndWait, newTag } from '../lib/leftovers.js';
import { alternatingOrder, pairedRatios, summarize } from '../lib/stats.js';
import type { Cell, Ratio } from '../report/results.js';
import { progress } from './progress.js';

export const NODE_BASELINE = 'node -e 0';
export const CLI_CONTENDER = 'corral run -- true';

async function timeToExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; code: number | null }> {
  const began = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { ms: performance.now() - began, code };
}

function cell(contender: string, samples: number[], errors: string[] = []): Cell {
  return { contender, label: contender, size: 1, samples, summary: summarize(samples), capped: false, leftover: 0, errors };
}

export async function runCliStartup(repo: string, rounds: number): Promise<{ cells: Cell[]; ratios: Ratio[] }> {
  const main = join(repo, 'dist/cli/main.js');
  if (!existsSync(main)) return { cells: [cell(CLI_CONTENDER, [], ['dist/cli/main.js is missing: run `npm run build` first'])], ratios: [] };
  progress(`CLI start-up: ${CLI_CONTENDER} against ${NODE_BASELINE}, ${rounds} pairs`);
  const { tag, env } = newTag();
  // No tsx or coverage hooks in the children: NODE_OPTIONS of the benchmark's own start must not slow them.
  const childEnv = { ...env, NODE_OPTIONS: '', NODE_V8_COVERAGE: undefined };
  const node: number[] = [];
  const cli: number[] = [];
  const errors: string[] = [];
  try {
    const runNode = async (): Promise<void> => {
      node.push((await timeToExit(['-e', '0'], childEnv)).ms);
    };
    const runCli = async (): Promise<void> => {
      const { ms, code } = await timeToExit([main, 'run', '--', 'true'], childEnv);
      if (code !== 0) errors.push(`exit ${code}`);
      cli.push(code === 0 ? ms : Number.NaN);
    };
    for (let round = 0; round < rounds; round++) {
      for (const run of alternatingOrder(round, runNode, runCli)) await run();
    }
  } finally {
    await killTaggedAndWait(tag);
  }
  return {
    cells: [cell(NODE_BASELINE, node), cell(CLI_CONTENDER, cli, [...new Set(errors)])],
    ratios: [{ contender: CLI_CONTENDER, baseline: NODE_BASELINE, size: 1, summary: summarize(pairedRatios(cli, node)), atLeast: false }],
  };
}
