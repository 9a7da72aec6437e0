// The shared conformance vectors (test/fixtures/vectors, copied from the public part of the
// extracted MONAI / segmentation_models.pytorch / Keras test suites): every loss case the
// library's options can express, on every backend, within the case's own tolerance.
//
// Each record is translated from its library's parameters (params_effective) to ours by the
// rules of the fixtures' README. A record that needs something the library does not have yet
// makes the translation throw `Unsupported(feature)`; such records are listed in DEFERRED with
// that feature, and a test checks that each of them really needs it, and that every loss record
// of the three files is either run, run elsewhere, or deferred. smp's Dice-family records run
// through dice-wasm/compat, whose smp classes are the translation (test/compat/loss-vectors.test.ts).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDice, type BackendName, type DiceKernel, type Target } from '../../src/index.js';
import { overlapReference, type OverlapRefOptions } from '../reference/overlap.js';
import { LOSSES, type LossName, type LossOptions } from '../support/losses.js';
import { allowedError, expectWithin, LOSS_RECORDS, numbers, RECORDS, type VectorRecord } from '../support/vectors.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];

// ---------------------------------------------------------------------------------------------
// The records

// What a record may need that the library does not have (yet).
const MISSING = {
  monaiSoftNegative: 'MONAI soft_label with predictions outside [0, 1] (its norms are Σ|p|)',
  otherAct: 'MONAI other_act other than torch.tanh',
  kerasAxis: 'Keras axis other than None or all non-batch axes',
} as const;

/** Loss records that need a missing feature; each must really need it (checked below). */
const DEFERRED: Readonly<Record<string, string>> = {};

/**
 * Loss records that another test file runs (with its own count of them) on every backend within
 * their tolerances: the pointwise and combined losses, MCC, and smp's Dice family (through compat).
 */
const POINTWISE_FILE = 'test/losses/pointwise.test.ts';
const MCC_FILE = 'test/losses/mcc.test.ts';
const COMPAT_FILE = 'test/compat/loss-vectors.test.ts';
const SMP_DICE_FAMILY = [
  'smp.losses.DiceLoss',
  'smp.losses.JaccardLoss',
  'smp.losses.TverskyLoss',
  'smp.losses._functional.soft_dice_score',
  'smp.losses._functional.soft_jaccard_score',
  'smp.losses._functional.soft_tversky_score',
];
const ELSEWHERE: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      'monai/test_dice_ce_loss/TEST_CASES[0]',
      'monai/test_dice_ce_loss/TEST_CASES[2]',
      'monai/test_dice_ce_loss/TEST_CASES[4]',
      'monai/test_dice_ce_loss/TEST_CASES[6]',
      'monai/test_focal_loss/TEST_CASES[0]',
      'monai/test_focal_loss/TEST_CASES[2]',
      'monai/test_focal_loss/TEST_CASES[4]',
      'monai/test_focal_loss/TEST_CASES[6]',
      'monai/test_focal_loss/test_foreground[0]',
      'smp/test_soft_ce_loss/0',
      'smp/test_soft_bce_loss/0',
    ].map((id) => [id, POINTWISE_FILE]),
  ),
  ...Object.fromEntries(
    ['smp/test_binary_mcc_loss/0', 'smp/test_binary_mcc_loss/2', 'smp/test_binary_mcc_loss/4'].map((id) => [
      id,
      MCC_FILE,
    ]),
  ),
  ...Object.fromEntries(
    LOSS_RECORDS.filter((r) => SMP_DICE_FAMILY.includes(r.loss_or_metric)).map((r) => [r.id, COMPAT_FILE]),
  ),
};

/** How many loss records the public fixtures hold, and how many of them run here, elsewhere, or wait. */
const EXPECTED_COUNTS = { losses: 68, run: 35, elsewhere: 33, deferred: 0 };

class Unsupported extends Error {
  constructor(
    readonly feature: string,
    detail = '',
  ) {
    super(`needs ${feature}${detail ? `: ${detail}` : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Translation of a record into a call of this library

interface LibraryCall {
  loss: LossName;
  /** Inputs as the library gets them (float32, after whatever the translation applies itself). */
  pred: Float32Array;
  target: Target;
  options: LossOptions;
  /** The library's result (number, or every term for reduction 'none') as the record's flat list. */
  select(result: number | Float64Array): number[];
  /** The same inputs in float64 (no float32 rounding) for the reference. */
  refPred: number[];
  refTarget: number[];
}

const product = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

const asList = (result: number | Float64Array): number[] =>
  typeof result === 'number' ? [result] : Array.from(result);

function checkedLabels(values: number[], C: number): Uint8Array {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v >= C) throw new Error(`label ${v} outside [0, ${C})`);
  }
  return Uint8Array.from(values);
}

/**
 * MONAI DiceLoss, MaskedDiceLoss, TverskyLoss, GeneralizedDiceLoss (README §3). Scores per
 * (sample, class), or per class with batch; `jaccard` is 1 − (2I + sNr)/(2(P + G − I) + sDr),
 * which is our Jaccard with half of each smoothing: (I + sNr/2)/(P + G − I + sDr/2). Tversky's
 * fp = Σp(1 − g) = P − I and fn = Σ(1 − p)g = G − I for any values.
 */
function monaiCall(r: VectorRecord): LibraryCall {
  const p = r.params_effective;
  const name = r.loss_or_metric;
  const shape = r.input.shape;
  if (!/^B,C/.test(r.input.layout ?? '')) throw new Error(`${r.id}: unexpected layout ${r.input.layout}`);
  const B = shape[0];
  const C = shape[1];
  const S = product(shape) / (B * C);
  const onehot = p.to_onehot_y === true && C > 1; // MONAI ignores to_onehot_y for one channel

  let x = numbers(r.input.data, 'input');
  let y = numbers(r.target.data, 'target');
  if (name === 'monai.losses.MaskedDiceLoss' && r.mask !== undefined) {
    // MaskedDiceLoss multiplies the RAW input and target by the mask before any activation:
    // masked logits become 0 (sigmoid 0.5: they still count in P), masked labels become 0. That
    // is not our `mask` (voxels that count nowhere), so the translation applies it to the inputs.
    const m = numbers(r.mask.data, 'mask');
    const at = (b: number, s: number): number => m[m.length === S ? s : b * S + s];
    if (m.length !== S && m.length !== B * S) throw new Error(`${r.id}: mask of ${m.length} values`);
    x = x.map((v, i) => v * at(Math.floor(i / (C * S)), i % S));
    const yC = y.length / (B * S);
    y = y.map((v, i) => v * at(Math.floor(i / (yC * S)), i % S));
  }
  let activation: LossOptions['activation'] = 'none';
  if (p.sigmoid === true) activation = 'sigmoid';
  if (p.softmax === true && C > 1) activation = 'softmax'; // MONAI ignores softmax for one channel
  if (p.other_act !== null && p.other_act !== undefined) {
    if (p.other_act !== 'torch.tanh') throw new Unsupported(MISSING.otherAct, String(p.other_act));
    x = x.map(Math.tanh); // applied by the test; the library then sees activation 'none'
  }

  const loss: LossName =
    name === 'monai.losses.TverskyLoss'
      ? 'tversky'
      : name === 'monai.losses.GeneralizedDiceLoss'
        ? 'generalizedDice'
        : p.jaccard === true
          ? 'jaccard'
          : 'dice';
  const half = loss === 'jaccard' ? 0.5 : 1;
  const options: LossOptions = {
    shape,
    layout: 'NCHW',
    activation,
    includeBackground: p.include_background !== false || C === 1, // MONAI ignores it for one channel
    squared: p.squared_pred === true,
    smoothNr: half * (p.smooth_nr as number),
    smoothDr: half * (p.smooth_dr as number),
    batch: p.batch === true,
    reduction: p.reduction as 'mean' | 'sum' | 'none',
  };
  if (loss === 'tversky') {
    options.alpha = p.alpha as number;
    options.beta = p.beta as number;
  }
  if (loss === 'generalizedDice') options.weightType = p.w_type as 'square' | 'simple' | 'uniform';
  if (onehot) {
    if (r.target.shape[1] !== 1 || y.length !== B * S)
      throw new Error(`${r.id}: to_onehot_y needs a (B, 1, ...) label map`);
    options.target = 'labels';
  }

  if (p.soft_label === true && !options.squared) {
    // tp = (‖p‖₁ + ‖g‖₁ − ‖p − g‖₁)/2: our softLabel for dense targets, where ‖p‖₁ = Σp needs p ≥ 0;
    // for a one-hot target it is Σp·g (ours for label maps) when p is in [0, 1].
    if (activation === 'none' && x.some((v) => v < 0 || (onehot && v > 1)))
      throw new Unsupported(MISSING.monaiSoftNegative);
    options.softLabel = true;
  }

  const w = p.weight;
  if (w !== null && w !== undefined && C > 1) {
    // MONAI's weight is over the classes left after background removal; ours over all C.
    // Class 0's weight is irrelevant when it is excluded (it is dropped from every result below).
    const list =
      typeof w === 'number' ? new Array<number>(options.includeBackground ? C : C - 1).fill(w) : (w as number[]);
    options.weight = options.includeBackground ? list : [1, ...list];
    if (options.weight.length !== C) throw new Error(`${r.id}: weight length ${list.length} does not fit ${C} classes`);
  }

  const includeBackground = options.includeBackground;
  const perClass = loss !== 'generalizedDice';
  return {
    loss,
    pred: Float32Array.from(x),
    target: onehot ? checkedLabels(y, C) : Float32Array.from(y),
    options,
    // reduction 'none': the library lists every class; MONAI has dropped class 0 without background.
    select: (result) =>
      typeof result === 'number'
        ? [result]
        : Array.from(result).filter((_, t) => !perClass || includeBackground || t % C !== 0),
    refPred: x,
    refTarget: y,
  };
}

/**
 * Keras Dice 1 − 2Σ(y·p)/(Σy + Σp + 1e-7) and Tversky 1 − I/(I + α·Σ(1 − y)p + β·Σy(1 − p) + 1e-7):
 * no numerator smoothing, 1e-7 in the denominator; everything pooled (axis None) or per sample.
 */
function kerasCall(r: VectorRecord, loss: 'dice' | 'tversky'): LibraryCall {
  const p = r.params_effective;
  const x = numbers(r.input.data, 'input');
  const y = numbers(r.target.data, 'target');
  const shape = r.input.shape;
  const rank = shape.length;
  const options: LossOptions = { smoothNr: 0, smoothDr: 1e-7 };
  if (loss === 'tversky') {
    options.alpha = p.alpha as number;
    options.beta = p.beta as number;
  }
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
  return {
    loss,
    pred: Float32Array.from(x),
    target: Float32Array.from(y),
    options,
    select: asList,
    refPred: x,
    refTarget: y,
  };
}

/** Losses whose records another file runs (see ELSEWHERE). */
class RunElsewhere extends Error {}
const elsewhere = (file: string) => (): LibraryCall => {
  throw new RunElsewhere(file);
};

const TRANSLATE: Readonly<Record<string, (r: VectorRecord) => LibraryCall>> = {
  'monai.losses.DiceLoss': monaiCall,
  'monai.losses.MaskedDiceLoss': monaiCall,
  'monai.losses.TverskyLoss': monaiCall,
  'monai.losses.GeneralizedDiceLoss': monaiCall,
  'monai.losses.DiceCELoss': elsewhere(POINTWISE_FILE),
  'monai.losses.FocalLoss': elsewhere(POINTWISE_FILE),
  ...Object.fromEntries(SMP_DICE_FAMILY.map((name) => [name, elsewhere(COMPAT_FILE)])),
  'smp.losses.MCCLoss': elsewhere(MCC_FILE),
  'smp.losses.SoftCrossEntropyLoss': elsewhere(POINTWISE_FILE),
  'smp.losses.SoftBCEWithLogitsLoss': elsewhere(POINTWISE_FILE),
  'keras.losses.Dice': (r) => kerasCall(r, 'dice'),
  'keras.losses.Tversky': (r) => kerasCall(r, 'tversky'),
};

function translate(r: VectorRecord): LibraryCall {
  const translator = TRANSLATE[r.loss_or_metric];
  if (translator === undefined) throw new Error(`${r.id}: no translation for ${r.loss_or_metric}`);
  return translator(r);
}

function run(k: DiceKernel, call: LibraryCall): number[] {
  return call.select(LOSSES[call.loss].value(k, call.pred, call.target, call.options));
}

/** The float64 reference of the same call, selected like the library's result. */
function reference(call: LibraryCall): number[] {
  const { loss } = overlapReference(call.loss, call.refPred, call.refTarget, call.options as OverlapRefOptions);
  return call.select(typeof loss === 'number' ? loss : Float64Array.from(loss));
}

// ---------------------------------------------------------------------------------------------

const RUN = LOSS_RECORDS.filter((r) => !(r.id in DEFERRED) && !(r.id in ELSEWHERE));

describe('the vector files', () => {
  it("hold the README's count of each loss, with unique ids", () => {
    const readme = readFileSync(new URL('../fixtures/vectors/README.md', import.meta.url), 'utf8');
    const names = [...new Set(LOSS_RECORDS.map((r) => r.loss_or_metric))];
    expect(names.sort()).toEqual(Object.keys(TRANSLATE).sort());
    for (const name of names) {
      const row = new RegExp(`^\\| ${name.replace(/\./g, '\\.')} \\| (\\d+) \\|$`, 'm').exec(readme);
      expect(row, `README count of ${name}`).not.toBeNull();
      expect(RECORDS.filter((r) => r.loss_or_metric === name).length, name).toBe(Number(row![1]));
    }
    expect(new Set(RECORDS.map((r) => r.id)).size).toBe(RECORDS.length);
    expect(LOSS_RECORDS.length).toBe(EXPECTED_COUNTS.losses);
  });

  it('every loss case is run here, run in the pointwise tests, or deferred with its missing feature', () => {
    const lossIds = new Set(LOSS_RECORDS.map((r) => r.id));
    for (const id of [...Object.keys(DEFERRED), ...Object.keys(ELSEWHERE)])
      expect(lossIds.has(id), `listed id ${id} is a loss record`).toBe(true);
    for (const r of LOSS_RECORDS) {
      const places = [RUN.includes(r), r.id in ELSEWHERE, r.id in DEFERRED].filter(Boolean).length;
      expect(places, `${r.id} is in exactly one of run / elsewhere / deferred`).toBe(1);
    }
    expect(RUN.length).toBe(EXPECTED_COUNTS.run);
    expect(Object.keys(ELSEWHERE).length).toBe(EXPECTED_COUNTS.elsewhere);
    expect(Object.keys(DEFERRED).length).toBe(EXPECTED_COUNTS.deferred);
  });

  it.each(Object.entries(ELSEWHERE))('%s runs in %s, not here', (id, file) => {
    expect(() => translate(LOSS_RECORDS.find((r) => r.id === id)!)).toThrow(new RunElsewhere(file));
  });

  it.each(Object.entries(DEFERRED))('deferred %s really needs: %s', (id, feature) => {
    const record = LOSS_RECORDS.find((r) => r.id === id)!;
    let thrown: unknown;
    try {
      translate(record);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Unsupported);
    expect((thrown as Unsupported).feature).toBe(feature);
  });

  it.each(RUN.map((r) => [r.id, r] as const))(
    '%s translates, and the float64 reference reproduces it',
    (_id, record) => {
      const got = reference(translate(record));
      expectWithin(got, record, record.expected, (e) => allowedError(record.tolerance, e), 'reference');
      if (record.recomputed_float64 !== undefined) {
        expectWithin(
          got,
          record,
          record.recomputed_float64,
          (e) => 1e-10 + 1e-9 * Math.abs(e),
          'reference vs recomputed_float64',
        );
      }
    },
  );
});

describe.each(BACKENDS)('vectors on the %s backend', (backend) => {
  let k: DiceKernel;
  beforeAll(async () => {
    k = await loadDice({ backend });
  });

  it.each(RUN.map((r) => [r.id, r] as const))('%s', (_id, record) => {
    const call = translate(record);
    const tolerance = (e: number): number => allowedError(record.tolerance, e);
    expectWithin(run(k, call), record, record.expected, tolerance, backend);
    if (call.options.reduction !== 'none') {
      // The ...WithGrad twin returns the same loss.
      expectWithin(
        [LOSSES[call.loss].grad(k, call.pred, call.target, call.options).loss],
        record,
        record.expected,
        tolerance,
        `${backend} WithGrad`,
      );
    }
  });
});
