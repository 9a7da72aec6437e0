// Random calls of every loss of the family (fast-check), shared by the tests that run one call
// several ways and compare: marshalling (zero copy, copies, streaming) and the pool (workers).
import fc from 'fast-check';
import { expect } from 'vitest';
import type { AllocScope, LossAndGrad, Target } from '../../src/index.js';
import { spatialAxis } from './arbitraries.js';
import { randomLogit, rng } from './random.js';

/** Staging sizes of the marshalling test: a single voxel's worth (chunks of 16 voxels), a few tiles, some blocks. */
export const TINY_STAGING = [1, 700, 6000] as const;

export const FAMILY = [
  'dice',
  'jaccard',
  'tversky',
  'focalTversky',
  'generalizedDice',
  'mcc',
  'bce',
  'crossEntropy',
  'focal',
  'diceCE',
  'diceFocal',
  'generalizedDiceFocal',
] as const;
export type Loss = (typeof FAMILY)[number];
export type TargetType = 'f32' | 'u8' | 'labels-u8' | 'labels-u16' | 'labels-i32';
export type Activation = 'none' | 'sigmoid' | 'softmax';

/** Activations each loss takes (softmax needs two classes). */
function activations(loss: Loss, C: number): Activation[] {
  const softmax: Activation[] = C >= 2 ? ['softmax'] : [];
  if (loss === 'bce') return ['sigmoid'];
  if (loss === 'crossEntropy') return softmax;
  if (loss === 'focal' || loss === 'diceCE' || loss === 'diceFocal' || loss === 'generalizedDiceFocal')
    return ['sigmoid', ...softmax];
  return ['none', 'sigmoid', ...softmax];
}

export interface Case {
  loss: Loss;
  B: number;
  C: number;
  spatial: number[];
  layout: 'NCHW' | 'NHWC';
  activation: Activation;
  target: TargetType;
  ignore: boolean;
  mask: 'none' | 'perSample' | 'shared';
  squared: boolean;
  softLabel: boolean;
  staging: (typeof TINY_STAGING)[number];
  /** Which arrays the mixed run allocates in the memory: pred, target, mask, out. */
  resident: [boolean, boolean, boolean, boolean];
  /** The share of logits of magnitude 20 to 100 (with an activation). */
  extreme: number;
  seed: number;
}

export const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    loss: fc.constantFrom(...FAMILY),
    B: fc.integer({ min: 1, max: 3 }),
    C: fc.integer({ min: 1, max: 5 }),
    spatial: fc.array(spatialAxis, { minLength: 0, maxLength: 3 }),
    layout: fc.constantFrom('NCHW' as const, 'NHWC' as const),
    pick: fc.nat(),
    target: fc.constantFrom<TargetType>('f32', 'u8', 'labels-u8', 'labels-u16', 'labels-i32'),
    ignore: fc.boolean(),
    mask: fc.constantFrom('none' as const, 'perSample' as const, 'shared' as const),
    squared: fc.boolean(),
    softLabel: fc.boolean(),
    staging: fc.constantFrom(...TINY_STAGING),
    resident: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean()),
    extreme: fc.constantFrom(0, 0.1, 1),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  })
  .filter((c) => c.B * c.C * c.spatial.reduce((a, d) => a * d, 1) <= 60_000 && activations(c.loss, c.C).length > 0)
  .map(({ pick, ...c }) => {
    const choices = activations(c.loss, c.C);
    return { ...c, activation: choices[pick % choices.length] };
  });

export interface Built {
  pred: Float32Array;
  target: Target;
  mask: Uint8Array | undefined;
  options: Record<string, unknown>;
}

export function build(c: Case): Built {
  const random = rng(c.seed);
  const S = c.spatial.reduce((a, d) => a * d, 1);
  const n = c.B * c.C * S;
  const shape = c.layout === 'NCHW' ? [c.B, c.C, ...c.spatial] : [c.B, ...c.spatial, c.C];
  const pred = Float32Array.from({ length: n }, () =>
    c.activation === 'none' ? random() : c.extreme > 0 ? randomLogit(random, c.extreme) : 10 * random() - 5,
  );
  const labels = c.target.startsWith('labels');
  const ignoreIndex = labels && c.ignore ? (c.C > 1 ? Math.floor(random() * c.C) : 1) : undefined;
  let target: Target;
  if (labels) {
    const ctor = c.target === 'labels-u8' ? Uint8Array : c.target === 'labels-u16' ? Uint16Array : Int32Array;
    target = new ctor(
      Array.from({ length: c.B * S }, () =>
        ignoreIndex !== undefined && random() < 0.2 ? ignoreIndex : Math.floor(random() * c.C),
      ),
    );
  } else if (c.target === 'u8') {
    target = Uint8Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0));
  } else {
    target = Float32Array.from({ length: n }, () => (random() < 0.5 ? random() : Math.round(random())));
  }
  const mask =
    c.mask === 'none'
      ? undefined
      : Uint8Array.from({ length: c.mask === 'shared' ? S : c.B * S }, () => (random() < 0.25 ? 0 : 1));
  const overlapFlags = ['bce', 'crossEntropy', 'focal', 'mcc'].includes(c.loss)
    ? {}
    : { squared: c.squared, softLabel: c.softLabel };
  const options = {
    loss: c.loss,
    shape,
    layout: c.layout,
    activation: c.activation,
    target: labels ? 'labels' : 'dense',
    ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
    ...overlapFlags,
  };
  return { pred, target, mask, options };
}

/** A copy of `array` in the kernel's memory, from the scope's allocator. */
export function resident<T extends ArrayBufferView & ArrayLike<number>>(scope: AllocScope, array: T): T {
  const ctor = array.constructor as Parameters<AllocScope['alloc']>[0];
  const copy = scope.alloc(ctor, array.length) as unknown as { set(values: ArrayLike<number>): void };
  copy.set(array);
  return copy as unknown as T;
}

/** Where a call's arrays live: in the memory (from the scope's alloc) or not, for pred, target, mask and out. */
export type Placement = [boolean, boolean, boolean, boolean];

/** What runs a built call: a kernel (results) or a pool (promises of them). */
export interface LossRunner {
  scope<T>(fn: (scope: AllocScope) => T): T;
  createLoss(options: never): {
    value(
      pred: Float32Array,
      target: Target,
      mask?: Uint8Array,
    ): number | Float64Array | Float32Array | Promise<number | Float64Array | Float32Array>;
    valueAndGrad(
      pred: Float32Array,
      target: Target,
      out?: Float32Array,
      mask?: Uint8Array,
    ): LossAndGrad | Promise<LossAndGrad>;
  };
}

export interface Result {
  value: number | Float64Array | Float32Array;
  loss: number;
  grad: Float32Array;
}

/** Value, then value and gradient of a built call on `runner`, its arrays placed as `place` says. */
export function runLoss(runner: LossRunner, b: Built, place: Placement): Promise<Result> {
  return runner.scope(async (scope) => {
    const pred = place[0] ? resident(scope, b.pred) : b.pred;
    const target = place[1] ? resident(scope, b.target) : b.target;
    const mask = b.mask && place[2] ? resident(scope, b.mask) : b.mask;
    const out = place[3] ? scope.alloc(Float32Array, b.pred.length) : new Float32Array(b.pred.length);
    const loss = runner.createLoss(b.options as never);
    const value = await loss.value(pred, target, mask);
    const withGrad = await loss.valueAndGrad(pred, target, out, mask);
    expect(withGrad.grad).toBe(out);
    return { value, loss: withGrad.loss, grad: out.slice() };
  });
}

export function expectClose(
  actual: number | Float64Array | Float32Array,
  expected: number | Float64Array | Float32Array,
  what: string,
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i] - e[i]), `${what} [${i}]: ${a[i]} vs ${e[i]}`).toBeLessThanOrEqual(
      1e-6 * Math.abs(e[i]) + 1e-9,
    );
}

export function expectGradClose(actual: Float32Array, expected: Float32Array, what: string): void {
  let scale = 0,
    worst = 0,
    at = -1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}: element ${at}, ${actual[at]} vs ${expected[at]} (max |grad| ${scale})`).toBeLessThanOrEqual(
    1e-5 * scale + 1e-12,
  );
}
