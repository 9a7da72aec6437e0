// The shared conformance vectors of the metrics (test/fixtures/vectors: MONAI's metric records
// and every torchmetrics record), each run through dice-wasm/compat exactly as the record's
// `call` says, on every backend, within the record's own tolerance. Every metric record is run
// or listed in DEFERRED with the feature it needs (none is, today).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { monai, torchmetrics, useKernel, type Tensor } from '../../src/compat/index.js';
import { loadDice, type BackendName, type DiceKernel } from '../../src/index.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];

type Nested = number | string | Nested[];

interface SetEntry {
  index: (number | [number, number])[];
  value: number;
}
interface TensorRecord {
  shape?: number[];
  data?: Nested;
  fill?: number;
  set?: SetEntry[];
  dtype?: string;
  list_of_channel_first?: { shape: number[]; fill: number }[];
}
interface Tolerance {
  method: string;
  rtol?: number;
  atol?: number;
}
interface MetricRecord {
  id: string;
  loss_or_metric: string;
  call: string;
  params_effective: Record<string, unknown>;
  input: TensorRecord;
  target: TensorRecord;
  expected: Nested | Record<string, Nested>;
  expected_shape?: number[];
  tolerance: Tolerance;
}

const read = (file: string): MetricRecord[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/vectors/${file}`, import.meta.url), 'utf8')) as MetricRecord[];
const ALL = [...read('monai.json'), ...read('torchmetrics.json')];
const isMetric = (r: MetricRecord) =>
  r.loss_or_metric.startsWith('monai.metrics.') || r.loss_or_metric.startsWith('torchmetrics.');
const METRIC_RECORDS = ALL.filter(isMetric);

/** Metric records that need a feature the library lacks, with that feature. */
const DEFERRED: Readonly<Record<string, string>> = {};
const RUN = METRIC_RECORDS.filter((r) => !(r.id in DEFERRED));

// ---------------------------------------------------------------------------------------------
// Tensors of a record

const product = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/**
 * A record tensor as compat input: nested data as the nested array it is; a filled tensor as
 * { data, shape } in its dtype (int8 → Int8Array; float otherwise, except that tensors of more
 * than 2^22 elements are built as 0/1 bytes to keep the test's memory small); a list of
 * channel-first tensors as that list.
 */
function compatTensor(t: TensorRecord): unknown {
  if (t.list_of_channel_first)
    return t.list_of_channel_first.map((item) => ({
      data: new Float32Array(product(item.shape)).fill(item.fill),
      shape: item.shape,
    }));
  if (t.data !== undefined) return t.data;
  const shape = t.shape as number[];
  const n = product(shape);
  const ctor = t.dtype === 'int8' ? Int8Array : n > 2 ** 22 ? Uint8Array : Float32Array;
  const data = new ctor(n).fill(t.fill ?? 0);
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  for (const entry of t.set ?? []) {
    const ranges = entry.index.map((ix) => (typeof ix === 'number' ? [ix, ix + 1] : ix));
    const visit = (axis: number, offset: number): void => {
      if (axis === shape.length) {
        data[offset] = entry.value;
        return;
      }
      for (let i = ranges[axis][0]; i < ranges[axis][1]; i++) visit(axis + 1, offset + i * strides[axis]);
    };
    visit(0, 0);
  }
  return { data, shape };
}

/** torch.argmax(y_pred, 1, keepdim=True) of nested (B, C, ...) data, as the MONAI test applies it. */
function argmaxKeepdim(nested: Nested[]): Nested[] {
  return nested.map((sample) => {
    const channels = sample as Nested[];
    const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
    const rows = channels.map(flat);
    const labels = rows[0].map((_, s) => rows.reduce((best, row, c) => (row[s] > rows[best][s] ? c : best), 0));
    // Back into the spatial nesting of one channel.
    let k = 0;
    const rebuild = (x: Nested): Nested => (Array.isArray(x) ? x.map(rebuild) : labels[k++]);
    return [rebuild(channels[0])];
  });
}

// ---------------------------------------------------------------------------------------------
// Results and tolerances

type Got = number | number[] | Tensor | Record<string, number>;

function values(x: Got | Nested): number[] {
  if (typeof x === 'number') return [x];
  if (typeof x === 'string') return [x === 'nan' ? Number.NaN : Number(x)];
  if (Array.isArray(x)) return x.flatMap(values);
  if ('data' in x && 'shape' in x) return Array.from((x as Tensor).data);
  throw new Error(`not a numeric result: ${JSON.stringify(x)}`);
}

function allowed(tol: Tolerance, expected: number): number {
  if (tol.method.startsWith('numpy.testing.assert_allclose') || tol.method.startsWith('torch.allclose')) {
    return (tol.atol ?? 0) + (tol.rtol ?? 1e-7) * Math.abs(expected);
  }
  throw new Error(`unknown tolerance method ${tol.method}`);
}

function expectClose(record: MetricRecord, got: Got, expected: Nested, what: string): void {
  const g = values(got),
    e = values(expected);
  expect(g.length, `${record.id} ${what}: ${g.length} values, expected ${e.length}`).toBe(e.length);
  e.forEach((want, i) => {
    const ok = Number.isNaN(want) ? Number.isNaN(g[i]) : Math.abs(g[i] - want) <= allowed(record.tolerance, want);
    expect(ok, `${record.id} ${what}[${i}]: got ${g[i]}, expected ${want}`).toBe(true);
  });
}

/** A tensor result has the record's shape; a number stands for shape [] or MONAI's 1-element (1,). */
function expectShape(record: MetricRecord, got: Got): void {
  if (record.expected_shape === undefined) return;
  if (typeof got === 'number') expect(product(record.expected_shape), `${record.id} shape`).toBe(1);
  else expect((got as Tensor).shape, `${record.id} shape`).toEqual(record.expected_shape);
}

/** The record's expected result: its shape, and its values within the record's tolerance. */
function expectResult(record: MetricRecord, got: Got, what: string): void {
  expectShape(record, got);
  expectClose(record, got, record.expected as Nested, what);
}

// ---------------------------------------------------------------------------------------------
// Running a record as its `call` says

const aggregateNone = (r: MetricRecord) => /aggregate\(reduction='none'\)/.test(r.call);

function runRecord(r: MetricRecord): void {
  const p = r.params_effective;
  const yPred = compatTensor(r.input) as never,
    y = compatTensor(r.target) as never;
  const expected = r.expected as Record<string, Nested>;
  switch (r.loss_or_metric) {
    case 'monai.metrics.compute_dice':
    case 'monai.metrics.compute_iou':
    case 'monai.metrics.compute_generalized_dice':
    case 'monai.metrics.get_confusion_matrix': {
      const fn = {
        'monai.metrics.compute_dice': monai.compute_dice,
        'monai.metrics.compute_iou': monai.compute_iou,
        'monai.metrics.compute_generalized_dice': monai.compute_generalized_dice,
        'monai.metrics.get_confusion_matrix': monai.get_confusion_matrix,
      }[r.loss_or_metric];
      expectResult(r, fn(yPred, y, p as never), 'result');
      return;
    }
    case 'monai.metrics.DiceHelper': {
      const input = /argmax\(y_pred,1,keepdim=True\)/.test(r.call) ? argmaxKeepdim(r.input.data as Nested[]) : yPred;
      const [f, notNans] = new monai.DiceHelper(p as never).forward(input as never, y) as [Tensor, Tensor];
      expectClose(r, f, expected.f, 'f');
      if (expected.sorted_not_nans)
        expectClose(
          r,
          Array.from(notNans.data).sort((a, b) => a - b),
          expected.sorted_not_nans,
          'sorted not_nans',
        );
      return;
    }
    case 'monai.metrics.DiceMetric':
    case 'monai.metrics.MeanIoU': {
      const m =
        r.loss_or_metric === 'monai.metrics.DiceMetric'
          ? new monai.DiceMetric(p as never)
          : new monai.MeanIoU(p as never);
      m.forward(yPred, y);
      if (aggregateNone(r)) {
        expectResult(r, m.aggregate('none') as Tensor, 'aggregate(none)');
        return;
      }
      const [result] = m.aggregate() as [Got, unknown];
      if (r.tolerance.method.startsWith('dict equality')) {
        expect(result, r.id).toEqual(r.expected);
        return;
      }
      expectResult(r, result, 'aggregate()');
      return;
    }
    case 'monai.metrics.GeneralizedDiceScore': {
      const m = new monai.GeneralizedDiceScore(p as never);
      m.forward(yPred, y);
      expectResult(r, m.aggregate(), 'aggregate()');
      return;
    }
    case 'monai.metrics.ConfusionMatrixMetric': {
      const m = new monai.ConfusionMatrixMetric(p as never);
      const cm = m.forward(yPred, y);
      if (expected.confusion_matrix) {
        expectClose(r, cm, expected.confusion_matrix, 'confusion matrix');
        const [f] = m.aggregate(false, 'mean_channel')[0] as [Got, unknown];
        expectClose(r, f, expected.aggregate_mean_channel_tpr_derived, 'aggregate(mean_channel)');
        return;
      }
      const [f, notNans] = m.aggregate()[0] as [Got, Got];
      expectShape(r, f);
      expectClose(r, f, (expected.result ?? r.expected) as Nested, 'result');
      if (expected.not_nans) expectClose(r, notNans, expected.not_nans, 'not_nans');
      return;
    }
    case 'torchmetrics.segmentation.DiceScore': {
      expectResult(r, new torchmetrics.DiceScore(p as never).forward(yPred, y), 'forward');
      return;
    }
    case 'torchmetrics.segmentation.MeanIoU': {
      const m = new torchmetrics.MeanIoU(p as never);
      m.update(yPred, y);
      expectResult(r, m.compute(), 'compute()');
      // mean_iou(...).mean(dim=0): the per-sample rows averaged here, as the test does.
      const rows = torchmetrics.mean_iou(yPred, y, p as never);
      const [B, C] = rows.shape;
      const mean = Array.from(
        { length: C },
        (_, c) => Array.from({ length: B }, (_, b) => rows.data[b * C + c]).reduce((a, v) => a + v, 0) / B,
      );
      expectClose(r, mean, r.expected as Nested, 'mean_iou(...).mean(dim=0)');
      return;
    }
    default:
      throw new Error(`${r.id}: no runner for ${r.loss_or_metric}`);
  }
}

// ---------------------------------------------------------------------------------------------

describe('the metric vector files', () => {
  it("hold the README's count of each metric, with unique ids", () => {
    const readme = readFileSync(new URL('../fixtures/vectors/README.md', import.meta.url), 'utf8');
    const names = [...new Set(METRIC_RECORDS.map((r) => r.loss_or_metric))];
    expect(names.length).toBe(11);
    for (const name of names) {
      const row = new RegExp(`^\\| ${name.replace(/\./g, '\\.')} \\| (\\d+) \\|$`, 'm').exec(readme);
      expect(row, `README count of ${name}`).not.toBeNull();
      expect(METRIC_RECORDS.filter((r) => r.loss_or_metric === name).length, name).toBe(Number(row![1]));
    }
    expect(new Set(ALL.map((r) => r.id)).size).toBe(ALL.length);
  });

  it('every metric record is run or deferred with its missing feature', () => {
    for (const id of Object.keys(DEFERRED))
      expect(
        METRIC_RECORDS.some((r) => r.id === id),
        id,
      ).toBe(true);
    expect(RUN.length + Object.keys(DEFERRED).length).toBe(METRIC_RECORDS.length);
    expect(METRIC_RECORDS.length).toBe(57);
    expect(Object.keys(DEFERRED).length).toBe(0);
  });
});

describe.each(BACKENDS)('metric vectors through dice-wasm/compat on the %s backend', (backend) => {
  let kernel: DiceKernel;
  beforeAll(async () => {
    kernel = await loadDice({ backend });
  });

  it.each(RUN.map((r) => [r.id, r] as const))('%s', (_id, record) => {
    useKernel(kernel);
    runRecord(record);
  });
});
