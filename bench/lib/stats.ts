/**
 * The statistics every figure of the benchmark goes through: a median with
 * its spread, and ratios taken pair by pair. Pure, so test/bench checks it.
 *
 * Why pairs: on a shared 2-core machine the speed of everything drifts over
 * a run (other engineers' tests, thermal state). A contender and its
 * baseline measured back to back see the same drift, so the ratio of each
 * pair cancels it; the median of those ratios is what the targets compare.
 */

export interface Summary {
  /** How many samples. */
  n: number;
  median: number;
  /** 25th and 75th percentiles: the spread we report (robust to one outlier). */
  p25: number;
  p75: number;
  min: number;
  max: number;
}

/** Linear-interpolated quantile of sorted values (q in [0, 1]). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/**
 * Ratios contender/baseline of samples measured in alternation: pair i is
 * (contender[i], baseline[i]). Pairs where either side is missing or not
 * positive are dropped rather than turned into 0 or Infinity.
 */
export function pairedRatios(contender: readonly number[], baseline: readonly number[]): number[] {
  const ratios: number[] = [];
  const pairs = Math.min(contender.length, baseline.length);
  for (let i = 0; i < pairs; i++) {
    const c = contender[i] as number;
    const b = baseline[i] as number;
    if (Number.isFinite(c) && Number.isFinite(b) && c > 0 && b > 0) ratios.push(c / b);
  }
  return ratios;
}

/**
 * Which side goes first in round `round`: ABBA order (A B, B A, A B...), so
 * that neither side always profits from a warm cache or suffers from the
 * other's leftovers.
 */
export function alternatingOrder<T>(round: number, a: T, b: T): [T, T] {
  return round % 2 === 0 ? [a, b] : [b, a];
}
