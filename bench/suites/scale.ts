/**
 * Scale: many small groups torn down at once. Each run is a fresh worker
 * process (bench/suites/scale-worker.ts), so the peak memory measured is
 * that of a supervisor holding those groups and nothing else.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ContenderId } from '../contenders/registry.js';
import { killTaggedAndWait, newTag } from '../lib/leftovers.js';
import { summarize } from '../lib/stats.js';
import type { ScaleRow } from '../report/results.js';
import { progress } from './progress.js';
import { roundOrder } from './sized-suite.js';

export const SCALE_TAG = 'CORRAL_BENCH_SCALE_TAG';

export interface ScaleWorkerResult {
  ms: number;
  capped: boolean;
  peakRssMb: number;
  idleRssMb: number;
  error?: string;
}

const WORKER = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));
const WORKER_LIMIT_MS = 180_000;

async function runWorker(id: ContenderId, groups: number, size: number, capMs: number): Promise<ScaleWorkerResult> {
  const { tag } = newTag();
  const worker = spawn(process.execPath, ['--import', 'tsx', WORKER, id, String(groups), String(size), String(capMs)], {
    env: { ...process.env, [SCALE_TAG]: tag },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  worker.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const limit = setTimeout(() => worker.kill('SIGKILL'), WORKER_LIMIT_MS);
  try {
    await once(worker, 'exit');
  } finally {
    clearTimeout(limit);
    await killTaggedAndWait(tag);
  }
  const line = output.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ScaleWorkerResult;
  } catch {
    return {
      ms: Number.NaN,
      capped: false,
      peakRssMb: Number.NaN,
      idleRssMb: Number.NaN,
      error: `the scale worker gave no result (${worker.exitCode ?? worker.signalCode})`,
    };
  }
}

export async function runScale(
  contenders: ReadonlyArray<{ id: ContenderId; label: string }>,
  groups: number,
  size: number,
  runs: number,
  capMs: number,
): Promise<ScaleRow[]> {
  const results = new Map(contenders.map((c) => [c.id, [] as ScaleWorkerResult[]]));
  for (let run = 0; run < runs; run++) {
    for (const contender of roundOrder(contenders, run)) {
      progress(`scale ${groups} x ${size}, run ${run + 1}/${runs}: ${contender.label}`);
      results.get(contender.id)!.push(await runWorker(contender.id, groups, size, capMs));
    }
  }
  return contenders.map((contender) => {
    const runsOf = results.get(contender.id)!;
    return {
      contender: contender.id,
      label: contender.label,
      groups,
      groupSize: size,
      teardownMs: summarize(runsOf.map((r) => r.ms)),
      samples: runsOf.map((r) => r.ms),
      peakRssMb: summarize(runsOf.map((r) => r.peakRssMb)),
      idleRssMb: summarize(runsOf.map((r) => r.idleRssMb)),
      leftover: 0,
      capped: runsOf.some((r) => r.capped),
      errors: runsOf.flatMap((r) => (r.error ? [r.error] : [])),
    };
  });
}
