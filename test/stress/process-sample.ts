/**
 * What the supervisor itself holds, sampled between batches (when nothing is
 * in flight): open file descriptors and memory, after a garbage collection
 * so that the heap figure is what is really kept.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

export interface ProcessSample {
  fds: number;
  rssMb: number;
  heapMb: number;
}

export function sampleProcess(): ProcessSample {
  collectGarbage();
  const memory = process.memoryUsage();
  return { fds: readdirSync('/proc/self/fd').length, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20 };
}

export interface Growth {
  baseline: number;
  final: number;
  growth: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Median of the first fifth after warm-up against the median of the last fifth. */
export function growthOf(samples: ProcessSample[], key: keyof ProcessSample): Growth {
  const values = samples.map((s) => s[key]);
  const fifth = Math.max(1, Math.floor(values.length / 5));
  const warmedUp = values.length > 2 * fifth ? values.slice(fifth, 2 * fifth) : values.slice(0, fifth);
  const baseline = median(warmedUp);
  const final = median(values.slice(-fifth));
  return { baseline, final, growth: final - baseline };
}
