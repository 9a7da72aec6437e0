// The shared conformance vectors (test/fixtures/vectors, copied from the public part of the
// extracted MONAI / segmentation_models.pytorch / Keras test suites): every DiceLoss-family case
// the library's options can express, on every backend, within the case's own tolerance.
//
// Each record is translated from its library's parameters (params_effective) to ours by the
// rules of the fixtures' README. A record that needs something the library does not have yet
// makes the translation throw `Unsupported(feature)`; such records are listed in DEFERRED with
// that feature, and a test checks that each of them really needs it, and that every family
// record is either run or deferred.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type BackendName, type DiceKernel, type DiceLossOptions } from '../src/index.js';
import { diceReference, type RefOptions } from './reference/dice.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];

// ---------------------------------------------------------------------------------------------
// The records

type Nested = number | string | Nested[];

interface TensorRecord {
  shape: number[];
  data: Nested;
  layout?: string;
  dtype?: string;
}

interface Tolerance {
  method: string;
  rtol?: number;
  atol?: number;
  rel?: number;
  abs?: number;
  places?: number;
}

interface VectorRecord {
  id: string;
  loss_or_metric: string;
  params_effective: Record<string, unknown>;
  input: TensorRecord;
  target: TensorRecord;
  expected: Nested;
  tolerance: Tolerance;
  recomputed_float64?: Nested;
}

function readRecords(file: string): VectorRecord[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/vectors/${file}`, import.meta.url), 'utf8')) as VectorRecord[];
}

const RECORDS: readonly VectorRecord[] = [...readRecords('monai.json'), ...readRecords('smp.json'), ...readRecords('keras.json')];

/** The DiceLoss family: the soft Dice loss (or score) of each source library. */
const FAMILY = ['monai.losses.DiceLoss', 'smp.losses.DiceLoss', 'smp.losses._functional.soft_dice_score', 'keras.losses.Dice'] as const;
type FamilyName = (typeof FAMILY)[number];

const isFamily = (r: VectorRecord): boolean => (FAMILY as readonly string[]).includes(r.loss_or_metric);

// Features the library does not have yet (a later issue).
const MISSING = {
  softLabel: "MONAI soft_label (intersection (|p|+|g|−|p−g|)/2 for soft targets)",
  jaccard: 'MONAI jaccard (Jaccard denominator 2(|p|+|g|−I))',
  smpEmptyClass: 'smp rule: a class whose target has no positive pixel gets loss 0',
  smpEpsClamp: 'smp eps as a clamp of the denominator (denominator ≤ eps)',
  smpSoftTarget: 'smp intersection (Σo+Σt−Σ|o−t|)/2 for non-binary targets or predictions outside [0, 1]',
  smpClassSubset: 'smp classes subset',
  smpClassWeights: 'smp class_weights (normalised weighted mean)',
  smpIgnoreIndex: 'smp ignore_index',
  otherAct: 'MONAI other_act other than torch.tanh',
  kerasAxis: 'Keras axis other than None or all non-batch axes',
} as const;

/** Family records that need a missing feature; each must really need it (checked below). */
const DEFERRED: Readonly<Record<string, string>> = {
  'monai/test_dice_loss/TEST_CASES[2]': MISSING.softLabel,
  'smp/test_dice_loss_binary/2': MISSING.smpEmptyClass,
};

/** How many family records the public fixtures hold, and how many of them run. */
const EXPECTED_COUNTS = { family: 17, run: 15, deferred: 2 };

class Unsupported extends Error {
  constructor(readonly feature: string, detail = '') {
    super(`needs ${feature}${detail ? `: ${detail}` : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Translation of a record into a call of this library

interface LibraryCall {
  kind: 'loss' | 'coefficient';
  /** Inputs as the library gets them (float32, after any activation the test applies itself). */
  pred: Float32Array;
  target: Float32Array | Uint8Array;
  options: DiceLossOptions;
  /** The library's result (number, or every term for reduction 'none') as the record's flat list. */
  select(result: number | Float64Array): number[];
  /** The same inputs in float64 (no float32 rounding) for the reference. */
  refPred: number[];
  refTarget: number[];
}

function flatten(x: Nested): (number | string)[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}

function numbers(x: Nested, what: string): number[] {
  return flatten(x).map((v) => {
    if (typeof v !== 'number') throw new Error(`${what}: expected numbers, got ${JSON.stringify(v)}`);
    return v;
  });
}

const product = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

const asList = (result: number | Float64Array): number[] => (typeof result === 'number' ? [result] : Array.from(result));

function checkedLabels(values: number[], C: number): Uint8Array {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v >= C) throw new Error(`label ${v} outside [0, ${C})`);
  }
  return Uint8Array.from(values);
}

/** A 0/1 target in the record's dtype: integer dtypes as a Uint8Array mask, floats as Float32Array. */
function denseTarget(record: TensorRecord, values: number[]): Float32Array | Uint8Array {
  const integer = record.dtype !== undefined && /int/.test(record.dtype);
  return integer && values.every((v) => v === 0 || v === 1) ? Uint8Array.from(values) : Float32Array.from(values);
}

function monaiCall(r: VectorRecord): LibraryCall {
  const p = r.params_effective;
  if (p.jaccard === true) throw new Unsupported(MISSING.jaccard);
  const shape = r.input.shape;
  if (!/^B,C/.test(r.input.layout ?? '')) throw new Error(`${r.id}: unexpected layout ${r.input.layout}`);
  const C = shape[1];
  const B = shape[0];
  const S = product(shape) / (B * C);

  let x = numbers(r.input.data, 'input');
  let activation: DiceLossOptions['activation'] = 'none';
  if (p.sigmoid === true) activation = 'sigmoid';
  if (p.softmax === true && C > 1) activation = 'softmax'; // MONAI ignores softmax for one channel
  if (p.other_act !== null && p.other_act !== undefined) {
    if (p.other_act !== 'torch.tanh') throw new Unsupported(MISSING.otherAct, String(p.other_act));
    x = x.map(Math.tanh); // applied by the test; the library then sees activation 'none'
  }

  const onehot = p.to_onehot_y === true && C > 1; // MONAI ignores to_onehot_y for one channel
  const y = numbers(r.target.data, 'target');
  const options: DiceLossOptions = {
    shape,
    layout: 'NCHW',
    activation,
    includeBackground: p.include_background !== false || C === 1,
    squared: p.squared_pred === true,
    smoothNr: p.smooth_nr as number,
    smoothDr: p.smooth_dr as number,
    batch: p.batch === true,
    reduction: p.reduction as 'mean' | 'sum' | 'none',
  };
  if (onehot) {
    if (r.target.shape[1] !== 1 || y.length !== B * S) throw new Error(`${r.id}: to_onehot_y needs a (B, 1, ...) label map`);
    options.target = 'labels';
  }

  if (p.soft_label === true && !options.squared) {
    // MONAI's soft-label intersection is Σ min(p, g)-like: (Σp + Σg − Σ|p − g|)/2 with L1 norms,
    // which is Σp·g only for 0/1 targets and p in [0, 1] (with squared_pred it is always Σp·g).
    const hard = onehot || y.every((v) => v === 0 || v === 1);
    const inRange = activation !== 'none' || x.every((v) => v >= 0 && v <= 1);
    if (!hard || !inRange) throw new Unsupported(MISSING.softLabel);
  }

  const w = p.weight;
  if (w !== null && w !== undefined && C > 1) {
    // MONAI's weight is over the classes left after background removal; ours over all C.
    // Class 0's weight is irrelevant when it is excluded (it is dropped from every result below).
    const list = typeof w === 'number' ? new Array<number>(options.includeBackground ? C : C - 1).fill(w) : (w as number[]);
    options.weight = options.includeBackground ? list : [1, ...list];
    if (options.weight.length !== C) throw new Error(`${r.id}: weight length ${list.length} does not fit ${C} classes`);
  }

  const includeBackground = options.includeBackground;
  const target = onehot ? checkedLabels(y, C) : Float32Array.from(y);
  return {
    kind: 'loss',
    pred: Float32Array.from(x),
    target,
    options,
    // reduction 'none': the library lists every class; MONAI has dropped class 0 without background.
    select: (result) => (typeof result === 'number' ? [result] : Array.from(result).filter((_, t) => includeBackground || t % C !== 0)),
    refPred: x,
    refTarget: y,
  };
}

/**
 * smp scores (v0.4+): score = (I + s) / max(I + ½(P − I) + ½(G − I) + s, eps) per class, pooled
 * over batch and space, with I = (Σo + Σt − Σ|o − t|)/2. That is our D with smoothNr = smoothDr = 2s
 * when the denominator is above eps and I = Σo·t (0/1 targets, o in [0, 1]). The smp losses also
 * give loss 0 to a class whose target is empty (`emptyRule`).
 */
function smpChecks(id: string, x: number[], y: number[], options: DiceLossOptions, eps: number, s: number, emptyRule: boolean): void {
  const labels = options.target === 'labels';
  if (!labels && !y.every((v) => v === 0 || v === 1)) throw new Unsupported(MISSING.smpSoftTarget, `${id} target`);
  if ((options.activation ?? 'none') === 'none' && !x.every((v) => v >= 0 && v <= 1)) throw new Unsupported(MISSING.smpSoftTarget, `${id} prediction`);
  const { terms } = diceReference(x, y, { ...(options as RefOptions), reduction: 'none' });
  for (const t of terms) {
    if (emptyRule && t.G === 0) throw new Unsupported(MISSING.smpEmptyClass, `${id} class ${t.c}`);
    if ((t.P + t.G) / 2 + s <= eps) throw new Unsupported(MISSING.smpEpsClamp, `${id} class ${t.c}`);
  }
}

function smpDiceLossCall(r: VectorRecord): LibraryCall {
  const p = r.params_effective;
  if (p.classes !== null && p.classes !== undefined) throw new Unsupported(MISSING.smpClassSubset);
  if (p.class_weights !== null && p.class_weights !== undefined) throw new Unsupported(MISSING.smpClassWeights);
  if (p.ignore_index !== null && p.ignore_index !== undefined) throw new Unsupported(MISSING.smpIgnoreIndex);
  const x = numbers(r.input.data, 'input');
  const y = numbers(r.target.data, 'target');
  const B = r.input.shape[0];
  const s = p.smooth as number;
  const fromLogits = p.from_logits === true;
  // Both tensors as (B, C, N), scored per class pooled over batch and space (dims (0, 2)):
  // binary C = 1 (so shapes (1,1,3) and (1,1,1,3) agree); multiclass: a (B, N) label map, softmax.
  const common = { batch: true, reduction: 'mean', smoothNr: 2 * s, smoothDr: 2 * s, logLoss: p.log_loss === true } as const;
  let options: DiceLossOptions;
  let target: Float32Array | Uint8Array;
  if (p.mode === 'binary' || p.mode === 'multilabel') {
    const C = p.mode === 'binary' ? 1 : r.input.shape[1];
    if (y.length !== x.length) throw new Error(`${r.id}: target size ${y.length}, input ${x.length}`);
    options = { ...common, shape: [B, C, x.length / (B * C)], activation: fromLogits ? 'sigmoid' : 'none' };
    target = denseTarget(r.target, y);
  } else if (p.mode === 'multiclass') {
    const C = r.input.shape[1];
    options = { ...common, shape: [B, C, x.length / (B * C)], activation: fromLogits ? 'softmax' : 'none', target: 'labels' };
    target = checkedLabels(y, C);
  } else {
    throw new Error(`${r.id}: unknown mode ${String(p.mode)}`);
  }
  smpChecks(r.id, x, y, options, p.eps as number, s, true);
  return { kind: 'loss', pred: Float32Array.from(x), target, options, select: asList, refPred: x, refTarget: y };
}

function smpSoftDiceScoreCall(r: VectorRecord): LibraryCall {
  const p = r.params_effective;
  if (p.dims !== null && p.dims !== undefined) throw new Error(`${r.id}: dims ${JSON.stringify(p.dims)} not mapped`);
  const x = numbers(r.input.data, 'input');
  const y = numbers(r.target.data, 'target');
  const s = p.smooth as number;
  const options: DiceLossOptions = { shape: [x.length], smoothNr: 2 * s, smoothDr: 2 * s };
  smpChecks(r.id, x, y, options, p.eps as number, s, false);
  return { kind: 'coefficient', pred: Float32Array.from(x), target: Float32Array.from(y), options, select: asList, refPred: x, refTarget: y };
}

function kerasDiceCall(r: VectorRecord): LibraryCall {
  const p = r.params_effective;
  const x = numbers(r.input.data, 'input');
  const y = numbers(r.target.data, 'target');
  const shape = r.input.shape;
  const rank = shape.length;
  // Keras: 1 − 2Σ(y·p)/(Σy + Σp + 1e-7), over everything (axis None) or per sample.
  const options: DiceLossOptions = { smoothNr: 0, smoothDr: 1e-7 };
  const axis = p.axis as number[] | null;
  if (axis === null || axis === undefined) {
    options.shape = [x.length];
  } else if (axis.length === rank - 1 && axis.every((a, i) => a === i + 1)) {
    // One term per sample: a channels-last image [B, H, W, 1] is one class in NHWC; [B, N] → [B, 1, N].
    if (/channels-last/.test(r.input.layout ?? '') && shape[rank - 1] === 1) {
      options.shape = shape;
      options.layout = 'NHWC';
    } else {
      options.shape = [shape[0], 1, x.length / shape[0]];
    }
  } else {
    throw new Unsupported(MISSING.kerasAxis, JSON.stringify(axis));
  }
  const reduction = p.reduction;
  if (reduction === 'sum_over_batch_size' || reduction === 'mean') options.reduction = 'mean';
  else if (reduction === null) options.reduction = 'none';
  else if (reduction === 'sum') options.reduction = 'sum';
  else throw new Error(`${r.id}: reduction ${String(reduction)} not mapped`);
  return { kind: 'loss', pred: Float32Array.from(x), target: Float32Array.from(y), options, select: asList, refPred: x, refTarget: y };
}

const TRANSLATE: Record<FamilyName, (r: VectorRecord) => LibraryCall> = {
  'monai.losses.DiceLoss': monaiCall,
  'smp.losses.DiceLoss': smpDiceLossCall,
  'smp.losses._functional.soft_dice_score': smpSoftDiceScoreCall,
  'keras.losses.Dice': kerasDiceCall,
};

const translate = (r: VectorRecord): LibraryCall => TRANSLATE[r.loss_or_metric as FamilyName](r);

function run(k: DiceKernel, call: LibraryCall): number[] {
  const result = call.kind === 'loss'
    ? k.diceLoss(call.pred, call.target, call.options)
    : k.diceCoefficient(call.pred, call.target, call.options);
  return call.select(result);
}

// ---------------------------------------------------------------------------------------------
// Tolerances, exactly as each original assertion (README, "Tolerance methods")

function allowedError(tol: Tolerance, expected: number): number {
  const e = Math.abs(expected);
  if (tol.method.startsWith('numpy.testing.assert_allclose')) return (tol.atol ?? 0) + (tol.rtol ?? 1e-7) * e;
  if (tol.method.startsWith('keras assertAllClose')) return (tol.atol ?? 1e-6) + (tol.rtol ?? 1e-6) * e;
  if (tol.method === 'pytest.approx') {
    if (tol.rel !== undefined) return Math.max(tol.rel * e, tol.abs ?? 1e-12);
    if (tol.abs !== undefined) return tol.abs;
    return Math.max(1e-6 * e, 1e-12);
  }
  if (tol.method === 'unittest.assertAlmostEqual') return 0.5 * 10 ** -(tol.places ?? 7);
  throw new Error(`unknown tolerance method ${tol.method}`);
}

function expectWithin(got: number[], record: VectorRecord, expectedValues: Nested, tol: (e: number) => number, what: string): void {
  const want = numbers(expectedValues, 'expected');
  expect(got.length, `${what}: ${got.length} values, expected ${want.length}`).toBe(want.length);
  want.forEach((e, i) => {
    const allowed = tol(e);
    const message = `${record.id} ${what}[${i}]: got ${got[i]}, expected ${e} (|error| ${Math.abs(got[i] - e)} > allowed ${allowed})`;
    expect(Math.abs(got[i] - e) <= allowed, message).toBe(true);
  });
}

// ---------------------------------------------------------------------------------------------

const FAMILY_RECORDS = RECORDS.filter(isFamily);
const RUN = FAMILY_RECORDS.filter((r) => !(r.id in DEFERRED));

describe('the vector files', () => {
  it('hold the README\'s count of each family member, with unique ids', () => {
    const readme = readFileSync(new URL('./fixtures/vectors/README.md', import.meta.url), 'utf8');
    for (const name of FAMILY) {
      const row = new RegExp(`^\\| ${name.replace(/\./g, '\\.')} \\| (\\d+) \\|$`, 'm').exec(readme);
      expect(row, `README count of ${name}`).not.toBeNull();
      expect(RECORDS.filter((r) => r.loss_or_metric === name).length, name).toBe(Number(row![1]));
    }
    expect(new Set(RECORDS.map((r) => r.id)).size).toBe(RECORDS.length);
    expect(FAMILY_RECORDS.length).toBe(EXPECTED_COUNTS.family);
  });

  it('every DiceLoss-family case is either run or deferred with its missing feature', () => {
    const familyIds = new Set(FAMILY_RECORDS.map((r) => r.id));
    for (const id of Object.keys(DEFERRED)) expect(familyIds.has(id), `deferred id ${id} is a family record`).toBe(true);
    for (const r of FAMILY_RECORDS) {
      const runs = RUN.includes(r);
      const deferred = r.id in DEFERRED;
      expect(runs !== deferred, `${r.id} is run (${runs}) xor deferred (${deferred})`).toBe(true);
    }
    expect(RUN.length).toBe(EXPECTED_COUNTS.run);
    expect(Object.keys(DEFERRED).length).toBe(EXPECTED_COUNTS.deferred);
  });

  it.each(Object.entries(DEFERRED))('deferred %s really needs: %s', (id, feature) => {
    const record = FAMILY_RECORDS.find((r) => r.id === id)!;
    let thrown: unknown;
    try {
      translate(record);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Unsupported);
    expect((thrown as Unsupported).feature).toBe(feature);
  });

  it.each(RUN.map((r) => [r.id, r] as const))('%s translates, and the float64 reference reproduces it', (_id, record) => {
    const call = translate(record);
    const ref = diceReference(call.refPred, call.refTarget, call.options as RefOptions);
    const value = call.kind === 'loss' ? ref.loss : ref.coefficient;
    const got = call.select(typeof value === 'number' ? value : Float64Array.from(value));
    expectWithin(got, record, record.expected, (e) => allowedError(record.tolerance, e), 'reference');
    if (record.recomputed_float64 !== undefined) {
      expectWithin(got, record, record.recomputed_float64, (e) => 1e-10 + 1e-9 * Math.abs(e), 'reference vs recomputed_float64');
    }
  });
});

describe.each(BACKENDS)('vectors on the %s backend', (backend) => {
  let k: DiceKernel;
  beforeAll(async () => {
    k = await loadDice({ backend });
  });

  it.each(RUN.map((r) => [r.id, r] as const))('%s', (_id, record) => {
    const call = translate(record);
    expectWithin(run(k, call), record, record.expected, (e) => allowedError(record.tolerance, e), backend);
  });
});
