// The report of `dice-wasm eval` as a table (people), CSV (one row per case and class) or JSON
// (the shape of DESIGN.md: cases, then summary; NaN is written as null, and the infinite
// distance of a surface missing on one side as the string "Infinity", which JSON has no number for).
import type { EvalReport } from './evaluate.js';

export function formatReport(report: EvalReport, format: 'table' | 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify({ cases: report.cases, summary: report.summary }, nonFinite, 2)}\n`;
  if (format === 'csv') return csv(report);
  return table(report);
}

function nonFinite(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  return Number.isNaN(value) ? null : String(value);
}

function csv(report: EvalReport): string {
  const lines = [['case', 'class', ...report.metrics].map(csvField).join(',')];
  for (const c of report.cases) {
    for (const [label, values] of Object.entries(c.classes)) {
      lines.push([c.name, label, ...report.metrics.map((m) => String(values[m]))].map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const fixed = (v: number): string => (Number.isNaN(v) ? 'NaN' : v.toFixed(4));

function table(report: EvalReport): string {
  const rows: string[][] = [['case', 'class', ...report.metrics]];
  const errors: string[] = [];
  for (const c of report.cases) {
    if (c.error !== undefined) {
      errors.push(`${c.name}: ${c.error}`);
      continue;
    }
    Object.entries(c.classes).forEach(([label, values], i) => {
      rows.push([i === 0 ? c.name : '', label, ...report.metrics.map((m) => fixed(values[m]))]);
    });
  }
  const evaluated = report.cases.length - errors.length;
  const summary: string[][] = [['class', ...report.metrics]];
  for (const [label, metrics] of Object.entries(report.summary)) {
    summary.push([
      label,
      ...report.metrics.map((m) => {
        const { mean, std, n } = metrics[m];
        return `${fixed(mean)} ± ${fixed(std)} (n=${n})`;
      }),
    ]);
  }
  const lines = [
    ...align(rows),
    '',
    `mean ± std over ${evaluated} case${evaluated === 1 ? '' : 's'}; n = cases where the class has a value (not NaN)`,
    ...align(summary),
  ];
  if (errors.length > 0) lines.push('', `not evaluated (${errors.length}):`, ...errors.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

function align(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) =>
    r
      .map((cell, col) => cell.padEnd(widths[col]))
      .join('  ')
      .trimEnd(),
  );
}
