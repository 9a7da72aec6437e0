// The SVG chart of a Dice benchmark result (results/latest.json): for each case a panel of
// throughput (elements of pred per second, from the median call time) against n, one line per
// implementation, both axes logarithmic. Plain SVG text, no dependency.
import type { Implementation } from './contenders.js';
import type { CaseResult } from './report.js';

/** The parts of results/latest.json the chart reads. */
export interface ChartInput {
  date: string;
  machine: { cpu: string; cores: number };
  engine: { node: string };
  implementations: readonly Implementation[];
  cases: readonly CaseResult[];
}

const PANEL_WIDTH = 440,
  PANEL_HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 40, bottom: 44 };
const LEGEND_HEIGHT = 70;
/** One colour per implementation (colour-blind-safe, Okabe–Ito). */
const COLOURS = ['#999999', '#E69F00', '#0072B2', '#56B4E9', '#009E73', '#D55E00', '#CC79A7'];

/** Elements of pred per second from a median time in milliseconds. */
export const throughput = (n: number, medianMs: number): number => n / (medianMs / 1000);

/** A log-scale axis from the decades around the values to pixels. */
export function logScale(
  values: readonly number[],
  from: number,
  to: number,
): { decades: number[]; at: (v: number) => number } {
  const low = Math.floor(Math.log10(Math.min(...values))),
    high = Math.ceil(Math.log10(Math.max(...values)));
  const span = Math.max(high - low, 1);
  return {
    decades: Array.from({ length: span + 1 }, (_, i) => low + i),
    at: (v) => from + ((Math.log10(v) - low) / span) * (to - from),
  };
}

export function throughputChart(input: ChartInput): string {
  const width = input.cases.length * PANEL_WIDTH;
  const height = PANEL_HEIGHT + LEGEND_HEIGHT;
  const parts: string[] = [];
  const allRates = input.cases.flatMap((c) =>
    c.sizes.flatMap((s) => Object.values(s.results).map((r) => throughput(s.n, r.medianMs))),
  );
  const y = logScale(allRates, PANEL_HEIGHT - MARGIN.bottom, MARGIN.top);
  input.cases.forEach((c, panel) => {
    const x0 = panel * PANEL_WIDTH;
    const sizes = c.sizes.map((s) => s.n);
    const left = x0 + MARGIN.left,
      right = x0 + PANEL_WIDTH - MARGIN.right;
    const bottom = PANEL_HEIGHT - MARGIN.bottom;
    const x = (n: number) =>
      sizes.length === 1
        ? (left + right) / 2
        : left + (Math.log2(n / sizes[0]) / Math.log2(sizes[sizes.length - 1] / sizes[0])) * (right - left);
    parts.push(
      `<text x="${x0 + PANEL_WIDTH / 2}" y="22" text-anchor="middle" font-weight="bold">${escapeXml(c.id)}</text>`,
    );
    for (const d of y.decades) {
      const py = y.at(10 ** d).toFixed(1);
      parts.push(`<line x1="${left}" x2="${right}" y1="${py}" y2="${py}" stroke="#ddd"/>`);
      parts.push(`<text x="${left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">1e${d}</text>`);
    }
    for (const s of c.sizes) {
      parts.push(
        `<line x1="${x(s.n).toFixed(1)}" x2="${x(s.n).toFixed(1)}" y1="${MARGIN.top}" y2="${bottom}" stroke="#eee"/>`,
      );
      parts.push(`<text x="${x(s.n).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${s.label}</text>`);
    }
    parts.push(
      `<rect x="${left}" y="${MARGIN.top}" width="${right - left}" height="${bottom - MARGIN.top}" ` +
        'fill="none" stroke="#888"/>',
    );
    parts.push(
      `<text x="${(left + right) / 2}" y="${bottom + 34}" text-anchor="middle">n (elements of pred), log scale</text>`,
    );
    parts.push(
      `<text transform="translate(${x0 + 14} ${(MARGIN.top + bottom) / 2}) rotate(-90)" ` +
        'text-anchor="middle">elements / s, log scale</text>',
    );
    input.implementations.forEach((impl, i) => {
      const points = c.sizes.flatMap((s) => {
        const r = s.results[impl.id];
        return r ? [[x(s.n), y.at(throughput(s.n, r.medianMs))]] : [];
      });
      if (points.length === 0) return;
      const colour = COLOURS[i % COLOURS.length];
      const data = `data-implementation="${impl.id}" data-case="${escapeXml(c.id)}"`;
      const xy = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
      parts.push(`<polyline ${data} fill="none" stroke="${colour}" stroke-width="2" points="${xy}"/>`);
      for (const [px, py] of points)
        parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${colour}"/>`);
    });
  });
  input.implementations.forEach((impl, i) => {
    const lx = 16 + (i % 3) * (width / 3),
      ly = PANEL_HEIGHT + 8 + Math.floor(i / 3) * 20;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${COLOURS[i % COLOURS.length]}" ` +
        'stroke-width="3"/>',
    );
    parts.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${escapeXml(impl.label)}</text>`);
  });
  const caption =
    `Dice value + gradient per call, median; ${input.machine.cpu}, ${input.machine.cores} ` +
    `cores, Node ${input.engine.node}, ${input.date.slice(0, 10)}`;
  parts.push(`<text x="16" y="${height - 10}" fill="#555">${escapeXml(caption)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ` +
      `${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
