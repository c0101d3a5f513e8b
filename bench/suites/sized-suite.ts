/**
 * Teardown timings of every contender at every tree size, repeated. Each
 * repetition runs every contender once, in an order that rotates and
 * reverses from one repetition to the next, so that pairs measured in the
 * same repetition are close in time and see the same machine drift.
 * A contender stopped at the cap at some size is not run again at that size.
 */
import type { Contender } from '../contenders/contender.js';
import { pairedRatios, summarize } from '../lib/stats.js';
import { flatTreeScript } from '../lib/tree-script.js';
import { runTrial, type Teardown } from '../lib/trial.js';
import type { Cell, Ratio } from '../report/results.js';
import { progress } from './progress.js';

/** Repetition `round`'s order: rotated by the round, reversed on odd rounds. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % Math.max(items.length, 1);
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 0 ? rotated : rotated.reverse();
}

export async function runSizedSuite(
  contenders: readonly Contender[],
  sizes: readonly number[],
  repetitions: number,
  capMs: number,
  teardown: Teardown,
): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const size of sizes) {
    const script = flatTreeScript(size);
    const bySize = new Map(
      contenders.map((c) => [
        c.id,
        {
          contender: c.id,
          label: c.label,
          size,
          samples: [] as number[],
          capped: false,
          leftover: 0,
          errors: [] as string[],
        },
      ]),
    );
    for (let round = 0; round < repetitions; round++) {
      for (const contender of roundOrder(contenders, round)) {
        const cell = bySize.get(contender.id)!;
        if (cell.capped) continue;
        progress(`${teardown} N=${size} round ${round + 1}/${repetitions}: ${contender.label}`);
        try {
          const trial = await runTrial(contender, script, size, teardown, capMs);
          cell.samples.push(trial.ms);
          cell.capped ||= trial.capped;
          cell.leftover += trial.leftover;
          if (trial.error) cell.errors.push(trial.error);
        } catch (error) {
          cell.samples.push(Number.NaN);
          cell.errors.push(String(error));
        }
      }
    }
    for (const cell of bySize.values()) cells.push({ ...cell, summary: summarize(cell.samples) });
  }
  return cells;
}

/** contender/baseline at each size, from samples taken in the same repetitions. */
export function ratiosAgainst(cells: readonly Cell[], baseline: string): Ratio[] {
  const ratios: Ratio[] = [];
  for (const cell of cells) {
    if (cell.contender === baseline) continue;
    const base = cells.find((c) => c.contender === baseline && c.size === cell.size);
    if (!base || base.capped) continue;
    if (cell.capped) {
      // Only the capped run exists: compare the cap with the baseline's median.
      ratios.push({
        contender: cell.contender,
        baseline,
        size: cell.size,
        summary: summarize([cell.summary.median / base.summary.median]),
        atLeast: true,
      });
    } else {
      ratios.push({
        contender: cell.contender,
        baseline,
        size: cell.size,
        summary: summarize(pairedRatios(cell.samples, base.samples)),
        atLeast: false,
      });
    }
  }
  return ratios;
}

/** corral (pgroup) and the rest against the killpg + /proc scan floor; `graceful` marks the shutdown ones. */
export function fallbackRatios(
  hardKill: readonly Cell[],
  graceful: readonly Cell[],
): Array<Ratio & { graceful?: boolean }> {
  return [
    ...ratiosAgainst(hardKill, KILLPG_FLOOR),
    ...ratiosAgainst(graceful, KILLPG_FLOOR).map((r) => ({ ...r, graceful: true })),
  ];
}

export const KILLPG_FLOOR = 'kernel-killpg';
