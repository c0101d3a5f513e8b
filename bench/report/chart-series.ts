/** The chart's lines from the teardown cells: one series per contender, its medians by tree size. Pure. */
import type { ChartSeries } from './svg.js';
import type { Cell } from './results.js';

export function chartSeries(cells: readonly Cell[]): ChartSeries[] {
  const byContender = new Map<string, ChartSeries>();
  for (const cell of cells) {
    const series = byContender.get(cell.contender) ?? { label: cell.label, points: [] };
    series.points.push({ size: cell.size, ms: cell.summary.median, capped: cell.capped });
    byContender.set(cell.contender, series);
  }
  return [...byContender.values()];
}
