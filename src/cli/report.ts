// The report of `dice-wasm eval` (and `dice-wasm merge`), made from the records of the cases in
// their order and written as it is made: a table (people), CSV (one row per case and class) or
// JSON (the shape of DESIGN.md: cases, then summary; NaN is written as null, and the infinite
// distance of a surface missing on one side as the string "Infinity", which JSON has no number
// for). The records are read a few times (the column widths and the means, then the rows and the
// deviations from the means, then the errors), a batch of cases at a time, so the memory a report
// takes does not grow with the number of cases. Every metric but the measured ones (surface
// distances, clDice and Boundary IoU, lesion metrics) is computed from the counts by the library
// (metricsFromCounts); then mean ± std per class, summed in the order of the cases.
import type { ConfusionCounts } from '../core/api.js';
import { metricsFromCounts, withEmptyPolicy } from '../metrics/evaluate.js';
import type { EvalOptions } from './eval-options.js';
import { instanceColumns, LESION_COUNTS, measuredColumns } from './instances.js';
import { resolveInstanceMetricNames } from '../metrics/instances/names.js';
import type { CaseRecord, MeasuredCase } from './records.js';
import type { Output } from './output.js';

/** A metric's values over the cases that have one (not NaN). `std` is the population standard deviation. */
export interface Summary {
  mean: number;
  std: number;
  n: number;
}

/** The records of a run in case order; read more than once. */
export type RecordSource = () => AsyncIterable<CaseRecord>;

export type ReportOptions = Pick<
  EvalOptions,
  | 'metrics'
  | 'surfaceMetrics'
  | 'topologyMetrics'
  | 'instanceMetrics'
  | 'numClasses'
  | 'includeBackground'
  | 'empty'
  | 'beta'
  | 'format'
>;

/** Cases whose metrics are computed together (one call of metricsFromCounts). */
const BATCH = 256;

/**
 * Writes the report of the records `source` gives to `out`; `labels` are the labels some case
 * holds (the columns without --num-classes). Each case that could not be evaluated, and each
 * warning of a case, is also told to `notify` (a line for stderr), in case order. Returns the
 * number of cases that could not be evaluated.
 */
export async function writeReport(
  source: RecordSource,
  labels: ReadonlySet<number>,
  opts: ReportOptions,
  out: Output,
  notify: (line: string) => void,
): Promise<number> {
  // With instance metrics every case reports its lesion counts too (columns after those asked for).
  if (opts.instanceMetrics.length > 0)
    opts = { ...opts, metrics: [...new Set([...opts.metrics, ...instanceColumns(opts)])] };
  const first = opts.includeBackground ? 0 : 1;
  const held = opts.numClasses !== null ? [...Array(opts.numClasses).keys()] : [...labels].sort((a, b) => a - b);
  const table = new Columns(
    held.filter((c) => c >= first),
    opts,
  );
  const C = table.classes.length;
  const M = opts.metrics.length;
  const sums = new Float64Array(C * M);
  const deviations = new Float64Array(C * M);
  const scored = new Float64Array(C * M);
  const widths = [...['case', 'class', ...opts.metrics].map((h) => h.length)];
  const fixed = (v: number): string => (Number.isNaN(v) ? 'NaN' : v.toFixed(4));
  // A case's lesion counts are whole numbers, printed as such (their means are not).
  const counts = opts.metrics.map((m) => (LESION_COUNTS as readonly string[]).includes(m));
  const cell = (v: number, m: number): string => (counts[m] && Number.isInteger(v) ? String(v) : fixed(v));

  // First pass (table and JSON): the means, and the widths of the table's columns.
  if (opts.format !== 'csv') {
    for await (const { record, values } of table.rows(source)) {
      if (values === null) continue;
      for (let i = 0; i < C; i++) {
        if (i === 0) widths[0] = Math.max(widths[0], record.name.length);
        widths[1] = Math.max(widths[1], String(table.classes[i]).length);
        for (let m = 0; m < M; m++) {
          const v = values[i * M + m];
          widths[2 + m] = Math.max(widths[2 + m], cell(v, m).length);
          if (!Number.isNaN(v)) {
            sums[i * M + m] += v;
            scored[i * M + m]++;
          }
        }
      }
    }
  }
  const means = sums.map((s, j) => (scored[j] === 0 ? Number.NaN : s / scored[j]));

  // Second pass: the rows, and the deviations from the means.
  const header = ['case', 'class', ...opts.metrics];
  if (opts.format === 'csv') await out.write(`${header.map(csvField).join(',')}\n`);
  if (opts.format === 'table') await out.write(`${align(header, widths)}\n`);
  if (opts.format === 'json') await out.write('{\n  "cases": [');
  let cases = 0,
    failed = 0;
  for await (const { record, values } of table.rows(source)) {
    for (const warning of record.warnings ?? []) notify(`dice-wasm: warning: ${record.name}: ${warning}`);
    if (values === null) {
      notify(`dice-wasm: ${record.name}: ${record.error}`);
      failed++;
    } else {
      for (let j = 0; j < C * M; j++) if (!Number.isNaN(values[j])) deviations[j] += (values[j] - means[j]) ** 2;
    }
    if (opts.format === 'json') {
      await out.write(
        `${cases === 0 ? '\n' : ',\n'}${indent(JSON.stringify(table.caseJSON(record, values), nonFinite, 2), '    ')}`,
      );
    } else if (values !== null) {
      const lines = table.classes.map((label, i) => {
        const cells = opts.metrics.map((_, m) => values[i * M + m]);
        return opts.format === 'csv'
          ? [record.name, String(label), ...cells.map(String)].map(csvField).join(',')
          : align([i === 0 ? record.name : '', String(label), ...cells.map(cell)], widths);
      });
      if (lines.length > 0) await out.write(`${lines.join('\n')}\n`);
    }
    cases++;
  }
  if (opts.format === 'csv') return failed;

  const summary = Object.fromEntries(
    table.classes.map((label, i) => [
      String(label),
      Object.fromEntries(
        opts.metrics.map((metric, m) => {
          const j = i * M + m;
          const n = scored[j];
          return [metric, { mean: means[j], std: n === 0 ? Number.NaN : Math.sqrt(deviations[j] / n), n }];
        }),
      ),
    ]),
  ) as Record<string, Record<string, Summary>>;
  if (opts.format === 'json') {
    await out.write(
      `${cases === 0 ? ']' : '\n  ]'},\n  "summary": ` +
        `${indent(JSON.stringify(summary, nonFinite, 2), '  ').trimStart()}\n}\n`,
    );
    return failed;
  }
  const evaluated = cases - failed;
  const rows: string[][] = [['class', ...opts.metrics]];
  for (const [label, metrics] of Object.entries(summary)) {
    rows.push([
      label,
      ...opts.metrics.map((m) => {
        const { mean, std, n } = metrics[m];
        return `${fixed(mean)} ± ${fixed(std)} (n=${n})`;
      }),
    ]);
  }
  const summaryWidths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const lines = [
    '',
    `mean ± std over ${evaluated} case${evaluated === 1 ? '' : 's'}; n = cases where the class has a value (not NaN)`,
    ...rows.map((r) => align(r, summaryWidths)),
  ];
  if (failed > 0) lines.push('', `not evaluated (${failed}):`);
  await out.write(`${lines.join('\n')}\n`);
  if (failed > 0) {
    for await (const record of source())
      if (record.error !== undefined) await out.write(`  ${record.name}: ${record.error}\n`);
  }
  return failed;
}

/** The report's columns: each case's value of every metric for every class reported. */
class Columns {
  private readonly column: ReadonlyMap<number, number>;
  private readonly fromCounts: string[];
  /**
   * The value of each measured metric for a class a case does not hold (empty on both sides):
   * surface distances and topology metrics as --empty scores that, lesion metrics as no lesion on either side (lesion
   * Dice 1, lesion HD95 0, counts 0; rates and PQ NaN).
   */
  private readonly absent: ReadonlyMap<string, number>;

  constructor(
    readonly classes: readonly number[],
    private readonly opts: ReportOptions,
  ) {
    this.column = new Map(classes.map((label, i) => [label, i]));
    const measured = measuredColumns(opts);
    this.fromCounts = opts.metrics.filter((m) => !measured.includes(m));
    const bothEmpty = withEmptyPolicy(Number.NaN, 0, 0, 0, opts.empty);
    const none: Record<string, number> = { lesion_dice: 1, lesion_hd95: 0, lesion_tp: 0, lesion_fp: 0, lesion_fn: 0 };
    const lesions = opts.instanceMetrics.length > 0 ? instanceColumns(opts) : [];
    const ids = lesions.length > 0 ? resolveInstanceMetricNames('eval', lesions) : [];
    this.absent = new Map([
      ...opts.surfaceMetrics.map((m): [string, number] => [m, bothEmpty]),
      ...opts.topologyMetrics.map((m): [string, number] => [m, bothEmpty]),
      ...lesions.map((m, i): [string, number] => [m, none[ids[i].id] ?? Number.NaN]),
    ]);
  }

  /** Each record with its values (class-major: class i, metric m at i × metrics + m), null for an error. */
  async *rows(source: RecordSource): AsyncGenerator<{ record: CaseRecord; values: Float64Array | null }> {
    let batch: CaseRecord[] = [];
    for await (const record of source()) {
      batch.push(record);
      if (batch.length === BATCH) {
        yield* this.evaluate(batch);
        batch = [];
      }
    }
    yield* this.evaluate(batch);
  }

  caseJSON(record: CaseRecord, values: Float64Array | null): object {
    const base = { name: record.name, pred: record.pred, truth: record.truth };
    const warnings = record.warnings === undefined ? {} : { warnings: record.warnings };
    if (values === null) return { ...base, classes: {}, error: record.error, ...warnings };
    const M = this.opts.metrics.length;
    const classes = Object.fromEntries(
      this.classes.map((label, i) => [
        String(label),
        Object.fromEntries(this.opts.metrics.map((m, j) => [m, values[i * M + j]])),
      ]),
    );
    const spacing = (record as MeasuredCase).spacing;
    return { ...base, ...(spacing === undefined ? {} : { spacing }), classes, ...warnings };
  }

  private *evaluate(batch: readonly CaseRecord[]): Generator<{ record: CaseRecord; values: Float64Array | null }> {
    const ok = batch.filter((r): r is MeasuredCase => r.error === undefined);
    const C = this.classes.length;
    const M = this.opts.metrics.length;
    const computed =
      ok.length === 0 || this.fromCounts.length === 0 || C === 0
        ? {}
        : (metricsFromCounts(this.stack(ok), {
            metrics: this.fromCounts,
            empty: this.opts.empty,
            beta: this.opts.beta,
          }) as Record<string, Float64Array>);
    let b = 0;
    for (const record of batch) {
      if (record.error !== undefined) {
        yield { record, values: null };
        continue;
      }
      const values = new Float64Array(C * M);
      this.opts.metrics.forEach((metric, m) => {
        const measured = (record as MeasuredCase).values?.[metric];
        if (measured === undefined) {
          for (let i = 0; i < C; i++) values[i * M + m] = computed[metric][b * C + i];
          return;
        }
        const absent = this.absent.get(metric) ?? Number.NaN;
        for (let i = 0; i < C; i++) values[i * M + m] = absent;
        (record as MeasuredCase).labels.forEach((label, l) => {
          const i = this.column.get(label);
          if (i !== undefined) values[i * M + m] = measured[l];
        });
      });
      b++;
      yield { record, values };
    }
  }

  /**
   * The counts of the cases as samples of one table over the reported labels. A label a case
   * does not hold has TP = FP = FN = 0, TN = its counted voxels.
   */
  private stack(ok: readonly MeasuredCase[]): ConfusionCounts {
    const C = this.classes.length;
    const n = ok.length * C;
    const out = {
      tp: new Float64Array(n),
      fp: new Float64Array(n),
      fn: new Float64Array(n),
      tn: new Float64Array(n),
      numSamples: ok.length,
      numClasses: C,
    };
    ok.forEach(({ labels, counts, voxels }, b) => {
      out.tn.fill(voxels, b * C, (b + 1) * C);
      labels.forEach((label, l) => {
        const col = this.column.get(label);
        if (col === undefined) return;
        out.tp[b * C + col] = counts[4 * l];
        out.fp[b * C + col] = counts[4 * l + 1];
        out.fn[b * C + col] = counts[4 * l + 2];
        out.tn[b * C + col] = counts[4 * l + 3];
      });
    });
    return out;
  }
}

function nonFinite(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  return Number.isNaN(value) ? null : String(value);
}

function indent(text: string, by: string): string {
  return by + text.replace(/\n/g, `\n${by}`);
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function align(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, col) => cell.padEnd(widths[col]))
    .join('  ')
    .trimEnd();
}
