/** Markdown tables and the number formats they use. Pure. */
import type { Summary } from '../lib/stats.js';

/** Milliseconds with precision that suits their size: 0.42, 3.71, 15.2, 1530. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const magnitude = Math.abs(ms);
  if (magnitude >= 100) return ms.toFixed(0);
  if (magnitude >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

/** "median (p25–p75)", or "≥ cap" for a capped figure. */
export function formatSummary(summary: Summary, { capped = false, unit = ' ms', format = formatMs } = {}): string {
  if (summary.n === 0) return 'n/a';
  if (capped) return `≥ ${format(summary.median)}${unit} (capped)`;
  if (summary.n === 1) return `${format(summary.median)}${unit}`;
  return `${format(summary.median)}${unit} (${format(summary.p25)}–${format(summary.p75)})`;
}

export function formatRatio(ratio: number, atLeast = false): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  const digits = ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2;
  return `${atLeast ? '≥ ' : ''}${ratio.toFixed(digits)}x`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * A GitHub-flavoured markdown table; the first column is left-aligned, the
 * others right-aligned (they hold numbers). Columns are padded so the raw
 * text reads as a table too.
 */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => escapeCell(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((row) => [...(row[i] as string)].length)));
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat((widths[i] as number) - [...text].length);
    return i === 0 ? text + fill : fill + text;
  };
  const line = (row: readonly string[]) => `| ${row.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w - 1)}` : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(cells[0] as string[]), rule, ...cells.slice(1).map(line)].join('\n');
}
