// dice-wasm/tfjs's losses on whole class volumes. clDice and Dice + clDice: value and gradient
// against tf.valueAndGrad of MONAI's soft_skel / SoftclDiceLoss / soft_dice written here in tf ops
// (tf.maxPool with 'same' padding, which never picks the padding, as torch's −∞);
// Hausdorff-DT and boundary: value against the float64 brute-force references, gradient against
// their central differences. Channels last (TF.js's layout), logits and label maps, 2 and 3
// spatial axes, reduction 'sum'; no tensor leaks; a network trained with tfDiceClDiceLoss.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  tfBoundaryLoss,
  tfClDiceLoss,
  tfDiceClDiceLoss,
  tfHausdorffDTLoss,
  type TfLoss,
} from '../../src/tfjs/index.js';
import { referenceBoundary, referenceHausdorff, type Volumes } from '../reference/spatial-losses.js';
import { rng } from '../support/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * max_pool of width 3 along one spatial axis of a channels-last tensor, by tf.maxPool on a 4-D
 * reshape (TF.js's maxPool3d has a wrong gradient on its cpu backend for windows such as 1×3×1).
 */
function poolAlong(x: tf.Tensor, axis: number): tf.Tensor {
  const [B, ...rest] = x.shape;
  const C = rest.pop() as number;
  const dims = rest;
  if (dims.length === 2) return tf.maxPool(x as tf.Tensor4D, axis === 1 ? [3, 1] : [1, 3], 1, 'same');
  const [D, H, W] = dims;
  const folded = axis === 1 ? tf.reshape(x, [B, D, H * W, C]) : (tf.reshape(x, [B * D, H, W, C]) as tf.Tensor4D);
  const window: [number, number] = axis === 3 ? [1, 3] : [3, 1];
  return tf.reshape(tf.maxPool(folded as tf.Tensor4D, window, 1, 'same'), x.shape);
}

const spatialAxes = (x: tf.Tensor) => Array.from({ length: x.rank - 2 }, (_, a) => a + 1);

/** MONAI's soft_erode in tf ops: the minimum of −max_pool(−x) along each spatial axis alone. */
function softErode(x: tf.Tensor): tf.Tensor {
  return spatialAxes(x)
    .map((axis) => tf.neg(poolAlong(tf.neg(x), axis)))
    .reduce((a, b) => tf.minimum(a, b));
}

/** MONAI's soft_dilate: max_pool over the 3×…×3 box (a maximum, so one axis after the other). */
function softDilate(x: tf.Tensor): tf.Tensor {
  return spatialAxes(x).reduce((t, axis) => poolAlong(t, axis), x);
}

/** MONAI's soft_skel. */
function softSkel(x: tf.Tensor, iterations: number): tf.Tensor {
  const open = (t: tf.Tensor) => softDilate(softErode(t));
  let img = x;
  let skel = tf.relu(tf.sub(img, open(img)));
  for (let j = 0; j < iterations; j++) {
    img = softErode(img);
    const delta = tf.relu(tf.sub(img, open(img)));
    skel = tf.add(skel, tf.relu(tf.sub(delta, tf.mul(skel, delta))));
  }
  return skel;
}

/**
 * SoftclDiceLoss (and SoftDiceclDiceLoss with `alpha`) per (sample, class) of channels-last
 * probabilities, the sums over the spatial axes, class 0 left out without background.
 */
function clDiceInTfOps(o: {
  iterations?: number;
  smooth?: number;
  alpha?: number;
  includeBackground?: boolean;
  reduction?: 'mean' | 'sum';
}): (y: tf.Tensor, p: tf.Tensor) => tf.Scalar {
  return (y, p) => {
    const axes = Array.from({ length: p.rank - 2 }, (_, a) => a + 1);
    const sum = (t: tf.Tensor) => tf.sum(t, axes);
    const s = o.smooth ?? 1;
    const sp = softSkel(p, o.iterations ?? 3);
    const sy = softSkel(y, o.iterations ?? 3);
    const tprec = tf.div(tf.add(sum(tf.mul(sp, y)), s), tf.add(sum(sp), s));
    const tsens = tf.div(tf.add(sum(tf.mul(sy, p)), s), tf.add(sum(sy), s));
    let term = tf.sub(1, tf.div(tf.mul(2, tf.mul(tprec, tsens)), tf.add(tprec, tsens)));
    if (o.alpha !== undefined) {
      const dice = tf.sub(1, tf.div(tf.add(tf.mul(2, sum(tf.mul(p, y))), s), tf.add(tf.add(sum(p), sum(y)), s)));
      term = tf.add(tf.mul(1 - o.alpha, dice), tf.mul(o.alpha, term));
    }
    const C = p.shape[p.rank - 1];
    if (o.includeBackground === false) term = tf.slice(term, [0, 1], [-1, C - 1]);
    return (o.reduction === 'sum' ? tf.sum(term) : tf.mean(term)) as tf.Scalar;
  };
}

/** Logits [B, ...spatial, C] and a label map [B, ...spatial] of smooth blobs (so skeletons are not empty). */
function problem(seed: number, spatial: number[], C: number) {
  const random = rng(seed);
  const S = spatial.reduce((a, d) => a * d, 1);
  const B = 2;
  const centres = Array.from({ length: B * C }, () => spatial.map((d) => d * random()));
  const logits = new Float32Array(B * S * C);
  const labels = new Int32Array(B * S);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const at: number[] = [];
      let rest = s;
      for (let a = spatial.length - 1; a >= 0; a--) {
        at[a] = rest % spatial[a];
        rest = Math.floor(rest / spatial[a]);
      }
      let best = 0;
      for (let c = 0; c < C; c++) {
        const distance = Math.hypot(...at.map((v, a) => v - centres[b * C + c][a]));
        const z = 2 - 0.6 * distance + 1.5 * random();
        logits[(b * S + s) * C + c] = z;
        if (z > logits[(b * S + s) * C + best]) best = c;
      }
      labels[b * S + s] = random() < 0.85 ? best : Math.floor(random() * C);
    }
  }
  const shape = [B, ...spatial, C];
  const z = tf.tensor(logits, shape, 'float32');
  const labelTensor = tf.tensor(labels, [B, ...spatial], 'int32');
  return { z, labels: labelTensor, oneHot: tf.oneHot(labelTensor, C).toFloat(), shape };
}

function relativeError(actual: Float32Array | number, expected: Float32Array | number): number {
  if (typeof actual === 'number' || typeof expected === 'number')
    return Math.abs(Number(actual) - Number(expected)) / Math.abs(Number(expected));
  let scale = 0,
    diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
  }
  return diff / scale;
}

function valueAndGrad(loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar, yTrue: tf.Tensor, x: tf.Tensor) {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => loss(yTrue, p))(x);
    return { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  });
}

/** A channels-last tensor as the references' channels-first float64 volumes. */
function channelsFirst(t: tf.Tensor): Volumes {
  const order = [0, t.rank - 1, ...Array.from({ length: t.rank - 2 }, (_, a) => a + 1)];
  const moved = tf.tidy(() => tf.transpose(t, order));
  const volumes = { data: Float64Array.from(moved.dataSync()), shape: moved.shape };
  moved.dispose();
  return volumes;
}

describe('tfClDiceLoss and tfDiceClDiceLoss', () => {
  const cases: [string, number[], (o: object) => TfLoss, Parameters<typeof clDiceInTfOps>[0], boolean][] = [
    ['clDice, defaults, 2-D, probabilities', [9, 8], tfClDiceLoss, {}, false],
    [
      'clDice, 5 iterations, smooth 0.5, no background, sum',
      [10, 9],
      tfClDiceLoss,
      { iterations: 5, smooth: 0.5, includeBackground: false, reduction: 'sum' },
      false,
    ],
    ['Dice + clDice, α 0.3, 2-D, logits and labels', [8, 9], tfDiceClDiceLoss, { alpha: 0.3 }, true],
    ['clDice, 3-D, 2 iterations, logits and labels', [6, 5, 7], tfClDiceLoss, { iterations: 2 }, true],
    ['Dice + clDice, 3-D, defaults (α ½), probabilities', [5, 6, 5], tfDiceClDiceLoss, { alpha: 0.5 }, false],
  ];

  it.each(cases.map((c) => c[0]))('%s: value and gradient equal tf.grad of MONAI in tf ops', (name) => {
    const [, spatial, make, options, fromLogits] = cases.find((c) => c[0] === name)!;
    const { z, labels, oneHot } = problem(spatial.length * 10 + spatial[0], spatial, 3);
    const ours = fromLogits
      ? valueAndGrad(make({ ...options, activation: 'softmax' }), labels, z)
      : valueAndGrad(make(options), oneHot, tf.softmax(z));
    const want = fromLogits
      ? valueAndGrad((y, x) => clDiceInTfOps(options)(y, tf.softmax(x)), oneHot, z)
      : valueAndGrad(clDiceInTfOps(options), oneHot, tf.softmax(z));
    // The skeletons are not trivial: the loss is neither 0 nor 1 and the gradient not zero.
    expect(want.value).toBeGreaterThan(0.01);
    expect(Math.max(...want.grad.map(Math.abs))).toBeGreaterThan(1e-4);
    expect(relativeError(ours.value, want.value)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(ours.grad, want.grad)).toBeLessThanOrEqual(1e-4);
    tf.dispose([z, labels, oneHot]);
  });

  it('leaves no tensor behind', () => {
    const { z, oneHot } = problem(5, [8, 8], 2);
    const p = tf.softmax(z);
    const loss = tfDiceClDiceLoss();
    valueAndGrad(loss, oneHot, p);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) valueAndGrad(loss, oneHot, p);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, oneHot, p]);
  });

  it('refuses a mask, reduction none, and one spatial axis, naming the loss', () => {
    expect(() => tfClDiceLoss({ mask: new Uint8Array(4) } as object)).toThrow(/^tfClDiceLoss: option 'mask'/);
    expect(() => tfDiceClDiceLoss({ reduction: 'none' } as object)).toThrow(/^tfDiceClDiceLoss: reduction/);
    const loss = tfClDiceLoss();
    const p = tf.ones([2, 6, 3]);
    expect(() => loss(p, p)).toThrow(/^tfClDiceLoss: shape/);
    p.dispose();
  });
});

describe('tfHausdorffDTLoss and tfBoundaryLoss', () => {
  const terms = { includeBackground: true, batch: false, reduction: 'mean' } as const;
  it.each([
    ['Hausdorff-DT, α 2, spacing, 2-D', [7, 8], 'hausdorff', {}],
    ['Hausdorff-DT, α 1.5, log, spacing, 3-D', [5, 4, 6], 'hausdorff', { alpha: 1.5, logLoss: true }],
    ['boundary, 2-D, spacing', [8, 6], 'boundary', {}],
  ] as const)('%s: value and gradient against the float64 reference', (_, spatial, kind, extra) => {
    const { z, oneHot } = problem(spatial.length * 7 + spatial[1], [...spatial], 2);
    const spacing = spatial.map((_, a) => 1 + 0.5 * a);
    const p = tf.softmax(z);
    const loss =
      kind === 'hausdorff' ? tfHausdorffDTLoss({ ...extra, spacing }) : tfBoundaryLoss({ ...extra, spacing });
    const ours = valueAndGrad(loss, oneHot, p);
    const y = channelsFirst(oneHot);
    const reference = (volumes: Volumes) =>
      kind === 'hausdorff'
        ? referenceHausdorff(volumes, y, { ...terms, alpha: 2, ...extra, spacing })
        : referenceBoundary(volumes, y, { ...terms, spacing });
    const probs = channelsFirst(p);
    const want = reference(probs);
    expect(relativeError(ours.value, want)).toBeLessThanOrEqual(1e-5);
    // Central differences at a few voxels away from ½ (where the prediction's distance map jumps).
    const [B, ...rest] = p.shape;
    const C = rest[rest.length - 1];
    const S = p.size / (B * C);
    const random = rng(9);
    let checked = 0;
    while (checked < 8) {
      const i = Math.floor(random() * p.size); // channels-last index
      const [b, s, c] = [Math.floor(i / (S * C)), Math.floor(i / C) % S, i % C];
      const j = (b * C + c) * S + s; // channels-first index
      if (Math.abs(probs.data[j] - 0.5) < 0.01) continue;
      const h = 1e-5;
      const shifted = (by: number) => {
        const data = probs.data.slice();
        data[j] += by;
        return reference({ data, shape: probs.shape });
      };
      const fd = (shifted(h) - shifted(-h)) / (2 * h);
      expect(Math.abs(ours.grad[i] - fd), `element ${i}`).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(fd), 1e-2));
      checked++;
    }
    tf.dispose([z, oneHot, p]);
  });
});

describe('training with model.fit', () => {
  it('a network trained with tfDiceClDiceLoss improves its Dice on thin lines', async () => {
    const size = 16;
    /** Noisy images of one thin line (two pixels wide) across the image; target one-hot [background, line]. */
    const data = (count: number, seed: number) => {
      const random = rng(seed);
      const images = new Float32Array(count * size * size);
      const targets = new Float32Array(count * size * size * 2);
      for (let n = 0; n < count; n++) {
        const angle = Math.PI * random(),
          offset = 4 * random() - 2;
        for (let i = 0; i < size * size; i++) {
          const x = (i % size) - size / 2,
            y = Math.floor(i / size) - size / 2;
          const on = Math.abs(x * Math.sin(angle) - y * Math.cos(angle) - offset) < 1 ? 1 : 0;
          images[n * size * size + i] = on * 0.8 + 0.4 * random();
          targets[(n * size * size + i) * 2 + on] = 1;
        }
      }
      return { x: tf.tensor4d(images, [count, size, size, 1]), y: tf.tensor4d(targets, [count, size, size, 2]) };
    };
    const train = data(32, 31),
      test = data(16, 32);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [size, size, 1],
          filters: 8,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.conv2d({
          filters: 2,
          kernelSize: 1,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.02), loss: tfDiceClDiceLoss({ includeBackground: false }) });
    const heldOutDice = () =>
      tf.tidy(() => {
        const predicted = tf.argMax(model.predict(test.x) as tf.Tensor, 3);
        const truth = tf.argMax(test.y, 3);
        const tp = tf.sum(tf.mul(predicted, truth)).dataSync()[0];
        return (2 * tp) / (tf.sum(predicted).dataSync()[0] + tf.sum(truth).dataSync()[0]);
      });
    const before = heldOutDice();
    const history = await model.fit(train.x, train.y, { epochs: 8, batchSize: 8, shuffle: false, verbose: 0 });
    const after = heldOutDice();
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] - 0.1);
    expect(after).toBeGreaterThan(0.55);
    expect(after).toBeGreaterThan(before + 0.2);
    tf.dispose([train.x, train.y, test.x, test.y]);
    model.dispose();
  });
});
