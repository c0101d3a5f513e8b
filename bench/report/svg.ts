/**
 * The teardown chart (bench/teardown.svg): time against tree size, both on
 * log scales, one line per contender. Hand-written SVG, no dependency.
 * Pure: the same series give the same bytes.
 */

export interface ChartPoint {
  size: number;
  ms: number;
  /** Stopped at the cap: drawn as an open marker with an arrow up. */
  capped: boolean;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
}

const WIDTH = 940;
const HEIGHT = 440;
const MARGIN = { left: 70, right: 380, top: 40, bottom: 55 };
const COLOURS = ['#1b7837', '#5aae61', '#2166ac', '#67a9cf', '#b2182b', '#ef8a62', '#762a83', '#999999'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Powers of ten covering [low, high]. */
export function decades(low: number, high: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) out.push(10 ** e);
  return out;
}

function tickLabel(ms: number): string {
  if (ms >= 1000) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** A log10 mapping of [low, high] onto [from, to] (pixels). */
function logScale(low: number, high: number, from: number, to: number): (value: number) => number {
  const a = Math.log10(low);
  const span = Math.log10(high) - a || 1;
  return (value) => from + ((Math.log10(value) - a) / span) * (to - from);
}

const px = (n: number) => n.toFixed(1);

export function teardownSvg(series: readonly ChartSeries[], title: string): string {
  const points = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.ms) && p.ms > 0);
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const yTicks = points.length
    ? decades(Math.min(...points.map((p) => p.ms)), Math.max(...points.map((p) => p.ms)))
    : [1, 10];
  const xLow = sizes[0] ?? 10;
  const xHigh = sizes[sizes.length - 1] ?? 1000;
  const plotRight = WIDTH - MARGIN.right;
  const plotBottom = HEIGHT - MARGIN.bottom;
  const x =
    sizes.length > 1 ? logScale(xLow, xHigh, MARGIN.left + 20, plotRight - 20) : () => (MARGIN.left + plotRight) / 2;
  const y = logScale(yTicks[0] as number, yTicks[yTicks.length - 1] as number, plotBottom, MARGIN.top);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  for (const tick of yTicks) {
    out.push(`<line x1="${MARGIN.left}" x2="${plotRight}" y1="${px(y(tick))}" y2="${px(y(tick))}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${px(y(tick) + 4)}" text-anchor="end">${tickLabel(tick)}</text>`);
  }
  for (const size of sizes) {
    out.push(`<line x1="${px(x(size))}" x2="${px(x(size))}" y1="${MARGIN.top}" y2="${plotBottom}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${px(x(size))}" y="${plotBottom + 18}" text-anchor="middle">${size}</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotRight - MARGIN.left}" height="${plotBottom - MARGIN.top}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="${(MARGIN.left + plotRight) / 2}" y="${HEIGHT - 12}" text-anchor="middle">processes in the tree (log scale)</text>`,
  );
  out.push(
    `<text transform="translate(16 ${(MARGIN.top + plotBottom) / 2}) rotate(-90)" text-anchor="middle">teardown, median (log scale)</text>`,
  );

  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const drawn = s.points.filter((p) => Number.isFinite(p.ms) && p.ms > 0).sort((a, b) => a.size - b.size);
    if (drawn.length > 1) {
      const path = drawn.map((p) => `${px(x(p.size))},${px(y(p.ms))}`).join(' ');
      out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    }
    for (const p of drawn) {
      const cx = px(x(p.size));
      const cy = px(y(p.ms));
      if (p.capped) {
        out.push(
          `<circle cx="${cx}" cy="${cy}" r="5" fill="#ffffff" stroke="${colour}" stroke-width="2"><title>${escapeXml(s.label)}: stopped at the cap</title></circle>`,
        );
        out.push(`<path d="M${cx},${px(y(p.ms) - 8)} l-4,6 h8 z" fill="${colour}"/>`);
      } else {
        out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${colour}"/>`);
      }
    }
    const legendY = MARGIN.top + 10 + i * 20;
    out.push(
      `<line x1="${plotRight + 15}" x2="${plotRight + 40}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="2"/>`,
    );
    out.push(`<text x="${plotRight + 46}" y="${legendY + 4}">${escapeXml(s.label)}</text>`);
  });
  const noteY = MARGIN.top + 10 + series.length * 20 + 10;
  out.push(`<circle cx="${plotRight + 27}" cy="${noteY}" r="5" fill="#ffffff" stroke="#333" stroke-width="2"/>`);
  out.push(`<text x="${plotRight + 46}" y="${noteY + 4}">stopped at the cap (at least)</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
