// The training view: a small convolutional network learns to segment discs (class 1) and rings
// (class 2) in noisy 32×32 images, trained in the page with TF.js and a dice-wasm/tfjs loss;
// live curves of the training loss and the held-out Dice (the library's confusion counts of the
// argmax), held-out predictions redrawn each epoch; and the cost of the loss (value and gradient)
// by dice-wasm against the same loss written with tf ops, on each TF.js backend, with the
// read-back of the prediction (what dice-wasm needs on a GPU backend) measured alone.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { loadDice, type DiceKernel } from '../src/index.js';
import { tfDiceCELoss, tfDiceLoss, type TfLoss } from '../src/tfjs/index.js';
import { element, fixed, formatMs, setStatus } from './dom.js';
import { classColour } from './viewer.js';

const SIDE = 32;
const CLASSES = 3;
const TRAIN = 64;
const HELD_OUT = 24;
const BATCH = 8;
const SHOWN = 4;
type LossKind = 'dice' | 'diceCE';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});
// The threaded build would need its own worker script; one thread is what is compared here.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/** A seeded generator (mulberry32): the same shapes on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Shapes {
  /** [n, 32, 32, 1] intensities. */
  images: Float32Array;
  /** [n, 32, 32] labels: 0 background, 1 disc, 2 ring. */
  labels: Int32Array;
  n: number;
}

/** `n` images, each with a ring and a disc apart, bright on dark, with Gaussian noise of σ 0.35. */
export function makeShapes(n: number, seed: number): Shapes {
  const rand = random(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const images = new Float32Array(n * SIDE * SIDE);
  const labels = new Int32Array(n * SIDE * SIDE);
  for (let k = 0; k < n; k++) {
    const left = rand() < 0.5;
    const ring = { x: left ? 9 : 23, y: 8 + rand() * 16, r: 5 + rand() * 3, w: 1.6 + rand() };
    const disc = { x: left ? 23 : 9, y: 8 + rand() * 16, r: 3.5 + rand() * 3.5 };
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const i = (k * SIDE + y) * SIDE + x;
        const dr = Math.hypot(x - ring.x, y - ring.y);
        const label = Math.hypot(x - disc.x, y - disc.y) <= disc.r ? 1 : Math.abs(dr - ring.r) <= ring.w / 2 ? 2 : 0;
        labels[i] = label;
        images[i] = (label === 0 ? 0 : 1) + 0.35 * gauss();
      }
    }
  }
  return { images, labels, n };
}

export function buildModel(kind: LossKind): tf.LayersModel {
  // Seeded initial weights: the same run every time on a backend.
  let seed = 0;
  const conv = (filters: number, kernelSize: number, activation: 'relu' | 'softmax' | 'linear') =>
    tf.layers.conv2d({
      filters,
      kernelSize,
      padding: 'same',
      activation,
      kernelInitializer: tf.initializers.heNormal({ seed: ++seed }),
    });
  return tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [SIDE, SIDE, 1] }),
      conv(8, 3, 'relu'),
      conv(8, 3, 'relu'),
      conv(8, 3, 'relu'),
      // tfDiceLoss takes probabilities (the model's softmax); tfDiceCELoss takes logits.
      conv(CLASSES, 1, kind === 'dice' ? 'softmax' : 'linear'),
    ],
  });
}

export function libraryLoss(kind: LossKind): TfLoss {
  return kind === 'dice' ? tfDiceLoss() : tfDiceCELoss();
}

/**
 * The same losses written with tf ops (the library's defaults: smooth 1, every class, mean over
 * (sample, class); Dice + CE: softmax of the logits, CE the mean over pixels, weights 1 and 1).
 */
function tfOpsLoss(kind: LossKind): TfLoss {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const p = kind === 'dice' ? yPred : tf.softmax(yPred);
      const intersection = tf.sum(tf.mul(p, yTrue), [1, 2]);
      const sums = tf.add(tf.sum(p, [1, 2]), tf.sum(yTrue, [1, 2]));
      const dice = tf.mean(tf.sub(1, tf.div(tf.add(tf.mul(2, intersection), 1), tf.add(sums, 1))));
      if (kind === 'dice') return dice as tf.Scalar;
      const ce = tf.mean(tf.neg(tf.sum(tf.mul(yTrue, tf.logSoftmax(yPred)), -1)));
      return tf.add(dice, ce) as tf.Scalar;
    });
}

let kernel: Promise<DiceKernel> | undefined;

const yieldToPage = () => new Promise((done) => setTimeout(done, 0));
let stop = false;

/** Held-out Dice of the argmax, classes 1 and 2 averaged (the library's confusion counts over all held-out pixels). */
export async function heldOutDice(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  truth: Int32Array,
): Promise<{ dice: number; pred: Int32Array }> {
  kernel ??= loadDice();
  const k = await kernel;
  const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1));
  const labels = (await pred.data()) as Int32Array;
  pred.dispose();
  const counts = k.confusion(labels, truth, { numClasses: CLASSES });
  let sum = 0;
  for (let c = 1; c < CLASSES; c++) sum += (2 * counts.tp[c]) / (2 * counts.tp[c] + counts.fp[c] + counts.fn[c]);
  return { dice: sum / (CLASSES - 1), pred: labels };
}

function drawCurves(losses: number[], dices: number[], epochs: number): void {
  const svg = element('tf-curves');
  const [w, h, pad] = [420, 220, 30];
  const maxLoss = Math.max(...losses, 1e-9);
  const x = (i: number) => pad + ((w - 2 * pad) * i) / Math.max(epochs - 1, 1);
  const line = (values: number[], scale: number, colour: string, name: string) =>
    values.length === 0
      ? ''
      : `<polyline data-series="${name}" fill="none" stroke="${colour}" stroke-width="2" points="${values
          .map((v, i) => `${x(i).toFixed(1)},${(h - pad - ((h - 2 * pad) * v) / scale).toFixed(1)}`)
          .join(' ')}"/>`;
  svg.innerHTML =
    `<rect x="${pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#888"/>` +
    `<text x="${pad}" y="${pad - 8}" font-size="11" fill="#1d4f9c">loss (max ${maxLoss.toFixed(3)})</text>` +
    `<text x="${w - pad}" y="${pad - 8}" font-size="11" fill="#c2410c" text-anchor="end">Dice 0–1</text>` +
    `<text x="${w / 2}" y="${h - 8}" font-size="11" fill="#333" text-anchor="middle">epoch 1–${epochs}</text>` +
    line(losses, maxLoss, '#1d4f9c', 'loss') +
    line(dices, 1, '#c2410c', 'dice');
}

function drawSamples(data: Shapes, pred: Int32Array): void {
  const box = element('tf-samples');
  if (box.childElementCount === 0) {
    for (let k = 0; k < SHOWN; k++) {
      for (const kind of ['input', 'prediction']) {
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = SIDE;
        canvas.dataset.kind = kind;
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `held-out image ${k + 1}: ${kind}`);
        box.append(canvas);
      }
    }
  }
  const canvases = box.querySelectorAll('canvas');
  for (let k = 0; k < SHOWN; k++) {
    const input = new ImageData(SIDE, SIDE),
      output = new ImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const at = k * SIDE * SIDE + i;
      const grey = Math.max(0, Math.min(255, Math.round(data.images[at] * 200)));
      input.data.set([grey, grey, grey, 255], 4 * i);
      const p = pred[at],
        t = data.labels[at];
      const x = i % SIDE,
        y = Math.floor(i / SIDE);
      // The truth's outline: a pixel of a class with a neighbour of another label.
      const edge =
        t !== 0 &&
        [
          [1, 0],
          [-1, 0],
          [0, 1],
          [0, -1],
        ].some(([dx, dy]) => {
          const u = x + dx,
            v = y + dy;
          return u < 0 || v < 0 || u >= SIDE || v >= SIDE || data.labels[k * SIDE * SIDE + v * SIDE + u] !== t;
        });
      const rgb = edge ? [255, 255, 255] : p === 0 ? [17, 17, 17] : classColour(p, 'tp');
      output.data.set([...rgb, 255], 4 * i);
    }
    canvases[2 * k].getContext('2d')?.putImageData(input, 0, 0);
    canvases[2 * k + 1].getContext('2d')?.putImageData(output, 0, 0);
  }
}

async function train(): Promise<void> {
  const backend = element<HTMLSelectElement>('tf-backend').value;
  const kind = element<HTMLSelectElement>('tf-loss').value as LossKind;
  const epochs = Math.min(Math.max(Math.round(Number(element<HTMLInputElement>('tf-epochs').value)) || 1, 1), 100);
  const buttons = { train: element<HTMLButtonElement>('tf-train'), stop: element<HTMLButtonElement>('tf-stop') };
  buttons.train.disabled = true;
  buttons.stop.disabled = false;
  stop = false;
  await yieldToPage();
  const table = element('tf-curves');
  table.dataset.done = 'false';
  try {
    if (!(await tf.setBackend(backend))) throw new Error(`the TF.js backend '${backend}' could not start here`);
    await tf.ready();
    const train = makeShapes(TRAIN, 1),
      held = makeShapes(HELD_OUT, 2);
    const tensors = tf.tidy(() => ({
      x: tf.tensor4d(train.images, [TRAIN, SIDE, SIDE, 1]),
      y: tf.oneHot(tf.tensor3d(train.labels, [TRAIN, SIDE, SIDE], 'int32'), CLASSES),
      heldX: tf.tensor4d(held.images, [HELD_OUT, SIDE, SIDE, 1]),
    }));
    const model = buildModel(kind);
    const optimizer = tf.train.adam(0.01);
    const loss = libraryLoss(kind);
    const losses: number[] = [],
      dices: number[] = [];
    const first = await heldOutDice(model, tensors.heldX, held.labels);
    drawSamples(held, first.pred);
    table.dataset.dice = JSON.stringify([first.dice]);
    const steps: number[] = [];
    for (let epoch = 0; epoch < epochs && !stop; epoch++) {
      let sum = 0;
      for (let b = 0; b < TRAIN; b += BATCH) {
        const t0 = performance.now();
        const value = optimizer.minimize(
          () =>
            tf.tidy(() =>
              loss(
                tensors.y.slice([b, 0, 0, 0], [BATCH]),
                model.apply(tensors.x.slice([b, 0, 0, 0], [BATCH])) as tf.Tensor,
              ),
            ),
          true,
        ) as tf.Scalar;
        sum += (await value.data())[0];
        value.dispose();
        steps.push(performance.now() - t0);
        // Back to the event loop between steps: the page stays responsive (Stop, tabs, scrolling).
        await yieldToPage();
      }
      losses.push(sum / (TRAIN / BATCH));
      const { dice, pred } = await heldOutDice(model, tensors.heldX, held.labels);
      dices.push(dice);
      table.dataset.dice = JSON.stringify([first.dice, ...dices]);
      table.dataset.loss = JSON.stringify(losses);
      drawCurves(losses, dices, epochs);
      drawSamples(held, pred);
      const median = [...steps].sort((a, b) => a - b)[steps.length >> 1];
      setStatus(
        'tf-status',
        `Epoch ${epoch + 1}/${epochs} on the '${tf.getBackend()}' backend: loss ${fixed(losses[epoch])}, ` +
          `held-out Dice ${fixed(dice)} (before training ${fixed(first.dice)}); ` +
          `a step of ${BATCH} images takes ${formatMs(median)}.`,
      );
    }
    tf.dispose([tensors.x, tensors.y, tensors.heldX]);
    model.dispose();
    optimizer.dispose();
  } catch (error) {
    setStatus('tf-status', `Training stopped: ${error instanceof Error ? error.message : String(error)}`, true);
  } finally {
    table.dataset.done = 'true';
    buttons.train.disabled = false;
    buttons.stop.disabled = true;
  }
}

/** Median of `runs` timings of `run` (after one warm-up call), in ms. */
async function timeIt(run: () => Promise<void>, runs: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[runs >> 1];
}

/** Median ms of reading a computed tensor of `like`'s size back to the CPU (dataSync), the computation excluded. */
async function timeReadBack(like: tf.Tensor, runs: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const t = tf.mul(like, 1);
    const probe = tf.sum(t);
    await probe.data();
    const t0 = performance.now();
    t.dataSync();
    if (r > 0) times.push(performance.now() - t0);
    tf.dispose([t, probe]);
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

/** The loss's value and gradient with respect to the prediction, read back; ms per call, and the value. */
async function lossCost(loss: TfLoss, yTrue: tf.Tensor, yPred: tf.Tensor, runs: number) {
  const grad = tf.valueAndGrad((p: tf.Tensor) => loss(yTrue, p));
  let value = Number.NaN;
  const ms = await timeIt(async () => {
    const out = grad(yPred);
    value = (await out.value.data())[0];
    await out.grad.data();
    tf.dispose([out.value, out.grad]);
  }, runs);
  return { ms, value };
}

async function compare(): Promise<void> {
  const button = element<HTMLButtonElement>('tf-compare');
  button.disabled = true;
  const body = element<HTMLTableElement>('tf-timing').tBodies[0];
  body.replaceChildren();
  const previous = tf.getBackend();
  const data = makeShapes(BATCH, 3);
  try {
    for (const backend of ['cpu', 'wasm', 'webgl']) {
      const row = (cells: string[], kind?: string) => {
        const tr = body.insertRow();
        tr.dataset.backend = backend;
        if (kind) tr.dataset.loss = kind;
        for (const text of cells) tr.insertCell().textContent = text;
        return tr;
      };
      let started = false;
      try {
        started = await tf.setBackend(backend);
      } catch {
        started = false;
      }
      if (!started) {
        row([backend, '—', 'not available in this browser', '', '']);
        continue;
      }
      await tf.ready();
      for (const kind of ['dice', 'diceCE'] as const) {
        const yTrue = tf.oneHot(tf.tensor3d(data.labels, [BATCH, SIDE, SIDE], 'int32'), CLASSES);
        const logits = tf.randomNormal([BATCH, SIDE, SIDE, CLASSES], 0, 1, 'float32', 5);
        const yPred = kind === 'dice' ? tf.softmax(logits) : logits.clone();
        const runs = 9;
        const native = await lossCost(libraryLoss(kind), yTrue, yPred, runs);
        const ops = await lossCost(tfOpsLoss(kind), yTrue, yPred, runs);
        // The read-back alone: a new tensor of the prediction's size, computed and waited for (one
        // number read from it), then read whole; only that last read is timed.
        const readBack = await timeReadBack(yPred, runs);
        const tr = row(
          [
            backend,
            kind === 'dice' ? 'tfDiceLoss' : 'tfDiceCELoss',
            formatMs(native.ms),
            formatMs(ops.ms),
            formatMs(readBack),
          ],
          kind,
        );
        tr.dataset.difference = String(Math.abs(native.value - ops.value) / Math.abs(ops.value));
        tf.dispose([yTrue, logits, yPred]);
      }
    }
  } finally {
    await tf.setBackend(previous);
    button.disabled = false;
    element('tf-timing').dataset.done = 'true';
  }
}

export function setupTraining(): void {
  const select = element<HTMLSelectElement>('tf-backend');
  // TF.js's wasm backend has no gradient of conv2d: training runs on cpu or webgl.
  for (const backend of ['cpu', 'webgl']) {
    const option = document.createElement('option');
    option.value = option.textContent = backend;
    select.append(option);
  }
  element('tf-train').addEventListener('click', () => void train());
  element('tf-stop').addEventListener('click', () => {
    stop = true;
  });
  element('tf-compare').addEventListener('click', () => void compare());
}
