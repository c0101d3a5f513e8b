/**
 * `corral run -- true` against `node -e 0`, from spawn to exit, alternating
 * (ABBA) in one run: what a command-line user pays for corral over Node's
 * own start. Runs the bundled CLI (dist/cli/corral.js, package.json's bin:
 * what `npx corral` runs); with no build it is reported as not measured.
 *
 * Each pair runs in up to three settings, both commands on the same Node
 * with the same environment:
 * - the benchmark's own Node, with the environment as it is;
 * - the same Node without NODE_EXTRA_CA_CERTS, when that is set: Node 20
 *   then reads the whole CA file at every start (here `node -e 0` took 93 ms
 *   with it and 48 ms without), which both sides pay, so it flatters the
 *   ratio;
 * - the newest Node line CI tests (the last of .ci/node-lines, installed by
 *   .ci/install-node), also without it: the line users are told to pick.
 * The target is judged on the last setting measured, the strictest.
 *
 * Beside them, in the same rotation, runs the floor (bench/lib/cli-floor.mjs):
 * what the guarantees cost with no corral code at all (a cgroup directory,
 * a guard process, the placement shim, the drain, the removal). Its ratio
 * to `node -e 0` says how much of corral's is corral's own.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  forgetDirectory,
  killTaggedAndWait,
  newTag,
  noteDirectory,
  removeDirectoryWhenEmpty,
} from '../lib/leftovers.js';
import { findCgroupRoot } from '../lib/cgroup-root.js';
import { pairedRatios, summarize } from '../lib/stats.js';
import { roundOrder } from './sized-suite.js';
import type { Cell, Ratio } from '../report/results.js';
import { progress } from './progress.js';

export const NODE_BASELINE = 'node -e 0';
export const CLI_CONTENDER = 'corral run -- true';
export const CLI_BUILD = 'dist/cli/corral.js';
export const CLI_FLOOR = 'the floor: cgroup, guard, shim, no corral code';
const FLOOR_SCRIPT = fileURLToPath(new URL('../lib/cli-floor.mjs', import.meta.url));

interface Setting {
  /** Shown after each command, e.g. "Node v20.20.2, no NODE_EXTRA_CA_CERTS". */
  label: string;
  node: string;
  env: NodeJS.ProcessEnv;
}

async function timeToExit(
  node: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; code: number | null }> {
  const began = performance.now();
  const child = spawn(node, args, { env, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { ms: performance.now() - began, code };
}

function cell(contender: string, samples: number[], errors: string[] = []): Cell {
  return {
    contender,
    label: contender,
    size: 1,
    samples,
    summary: summarize(samples),
    capped: false,
    leftover: 0,
    errors,
  };
}

/** The newest line of .ci/node-lines, installed (or found in its cache); undefined with the reason logged when it cannot be had. */
function newestNodeLine(repo: string): string | undefined {
  const lines = readFileSync(join(repo, '.ci/node-lines'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
  const major = lines[lines.length - 1];
  if (major === undefined) return undefined;
  try {
    return join(
      execFileSync(join(repo, '.ci/install-node'), [major], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }).trim(),
      'node',
    );
  } catch (error) {
    progress(
      `CLI start-up: Node ${major} could not be installed, its setting is left out: ${(error as Error).message}`,
    );
    return undefined;
  }
}

function settings(repo: string, env: NodeJS.ProcessEnv): Setting[] {
  const version = (node: string) => execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const plain = { ...env, NODE_EXTRA_CA_CERTS: undefined };
  const list: Setting[] = [{ label: `Node ${process.version}, environment as is`, node: process.execPath, env }];
  if (env.NODE_EXTRA_CA_CERTS !== undefined)
    list.push({ label: `Node ${process.version}, no NODE_EXTRA_CA_CERTS`, node: process.execPath, env: plain });
  const newest = newestNodeLine(repo);
  const newestVersion = newest === undefined ? undefined : version(newest);
  if (newest !== undefined && newestVersion !== process.version)
    list.push({ label: `Node ${newestVersion}, no NODE_EXTRA_CA_CERTS`, node: newest, env: plain });
  return list;
}

async function measure(
  setting: Setting,
  main: string,
  rounds: number,
  cgroupParent: string | undefined,
): Promise<{ cells: Cell[]; ratios: Ratio[] }> {
  const node: number[] = [];
  const cli: number[] = [];
  const floor: number[] = [];
  const errors: string[] = [];
  const floorErrors: string[] = [];
  const runNode = async (): Promise<void> => {
    node.push((await timeToExit(setting.node, ['-e', '0'], setting.env)).ms);
  };
  const runCli = async (): Promise<void> => {
    const { ms, code } = await timeToExit(setting.node, [main, 'run', '--', 'true'], setting.env);
    if (code !== 0) errors.push(`exit ${code}`);
    cli.push(code === 0 ? ms : Number.NaN);
  };
  const runFloor = async (): Promise<void> => {
    const dir = join(cgroupParent!, `corral-bench-floor-${process.pid}-${floor.length}`);
    noteDirectory(dir);
    const { ms, code } = await timeToExit(setting.node, [FLOOR_SCRIPT, dir, cgroupParent!], setting.env);
    if (code !== 0) floorErrors.push(`exit ${code}`);
    floor.push(code === 0 ? ms : Number.NaN);
    // Gone already, unless the floor script failed halfway.
    if (existsSync(dir)) await removeDirectoryWhenEmpty(dir);
    forgetDirectory(dir);
  };
  const runs = cgroupParent === undefined ? [runNode, runCli] : [runNode, runFloor, runCli];
  for (let round = 0; round < rounds; round++) {
    for (const run of roundOrder(runs, round)) await run();
  }
  const named = (what: string) => `${what} (${setting.label})`;
  const baseline = named(NODE_BASELINE);
  const ratio = (contender: string, samples: number[]): Ratio => ({
    contender,
    baseline,
    size: 1,
    summary: summarize(pairedRatios(samples, node)),
    atLeast: false,
  });
  const cells = [cell(baseline, node)];
  const ratios: Ratio[] = [];
  if (cgroupParent !== undefined) {
    cells.push(cell(named(CLI_FLOOR), floor, [...new Set(floorErrors)]));
    ratios.push({ ...ratio(named(CLI_FLOOR), floor), floor: true });
  }
  cells.push(cell(named(CLI_CONTENDER), cli, [...new Set(errors)]));
  // The CLI's ratio comes last: the target is judged on the last setting's.
  ratios.push(ratio(named(CLI_CONTENDER), cli));
  return { cells, ratios };
}

export async function runCliStartup(repo: string, rounds: number): Promise<{ cells: Cell[]; ratios: Ratio[] }> {
  const main = join(repo, CLI_BUILD);
  if (!existsSync(main))
    return { cells: [cell(CLI_CONTENDER, [], [`${CLI_BUILD} is missing: run \`npm run build\` first`])], ratios: [] };
  const { tag, env } = newTag();
  // No tsx or coverage hooks in the children: NODE_OPTIONS of the benchmark's own start must not slow them.
  const childEnv = { ...env, NODE_OPTIONS: '', NODE_V8_COVERAGE: undefined };
  const cells: Cell[] = [];
  const ratios: Ratio[] = [];
  try {
    // The floor needs a writable cgroup, as corral's cgroup path does; without one it is left out.
    const cgroupParent = findCgroupRoot()?.own;
    for (const setting of settings(repo, childEnv)) {
      progress(`CLI start-up: ${CLI_CONTENDER} against ${NODE_BASELINE}, ${rounds} rounds, ${setting.label}`);
      const measured = await measure(setting, main, rounds, cgroupParent);
      cells.push(...measured.cells);
      ratios.push(...measured.ratios);
    }
  } finally {
    await killTaggedAndWait(tag);
  }
  return { cells, ratios };
}
