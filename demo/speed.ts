// The speed view: k.metrics on the WebAssembly backend against the pure TypeScript one (on the
// loaded pair, and on it tiled to a larger volume), and, when the page is cross-origin isolated,
// a Dice + CE loss with its gradient on the thread pool against one thread.
import { createDicePool, loadDice, type DiceKernel } from '../src/index.js';
import type { Labels } from '../src/cli/formats/volume.js';
import { element, formatMs, medianMs, setStatus } from './dom.js';
import { loadedPair } from './volumes.js';

const METRICS = ['dice', 'iou', 'precision', 'recall'];
/** The tiled case: the pair repeated to at least this many voxels. */
const TILED_VOXELS = 1 << 22;
/** The pool's case: softmax logits of 3 classes over this many voxels. */
const POOL_VOXELS = 1 << 20;

let kernels: Promise<{ wasm: DiceKernel; js: DiceKernel }> | undefined;

function tile(labels: Labels, voxels: number): Labels {
  const out = new (labels.constructor as { new (n: number): Labels })(
    Math.ceil(voxels / labels.length) * labels.length,
  );
  for (let i = 0; i < out.length; i += labels.length) out.set(labels, i);
  return out;
}

function addRow(table: string, kind: string, cells: string[]): void {
  const row = element<HTMLTableElement>(table).tBodies[0].insertRow();
  row.dataset.case = kind;
  for (const text of cells) row.insertCell().textContent = text;
}

async function run(): Promise<void> {
  const pair = loadedPair();
  if (!pair) {
    setStatus('speed-status', 'Load a pair (or the example) in the Volumes view first.', true);
    return;
  }
  const button = element<HTMLButtonElement>('speed-run');
  button.disabled = true;
  setStatus('speed-status', 'Measuring…');
  try {
    kernels ??= Promise.all([loadDice(), loadDice({ backend: 'js' })]).then(([wasm, js]) => ({ wasm, js }));
    const { wasm, js } = await kernels;
    element('backend').textContent = `'${wasm.backend}'`;
    element<HTMLTableElement>('timing').tBodies[0].replaceChildren();
    let numClasses = 1;
    for (const labels of [pair.pred.labels, pair.truth.labels])
      for (const v of labels) if (v >= numClasses) numClasses = v + 1;
    const n = pair.truth.labels.length;
    const tiledPred = tile(pair.pred.labels, TILED_VOXELS),
      tiledTruth = tile(pair.truth.labels, TILED_VOXELS);
    const cases: [string, string, Labels, Labels][] = [
      ['pair', `the loaded pair (${n} voxels)`, pair.pred.labels, pair.truth.labels],
      ['tiled', `tiled to ${tiledPred.length} voxels`, tiledPred, tiledTruth],
    ];
    for (const [kind, label, p, t] of cases) {
      const options = { numClasses, metrics: METRICS };
      const fast = medianMs(() => wasm.metrics(p, t, options));
      const slow = medianMs(() => js.metrics(p, t, options));
      addRow('timing', kind, [label, formatMs(fast), formatMs(slow), `${(slow / fast).toFixed(1)}×`]);
      await new Promise((done) => setTimeout(done, 0));
    }
    await runPool(wasm);
    setStatus('speed-status', 'Done.');
  } catch (error) {
    setStatus('speed-status', `Could not measure: ${error instanceof Error ? error.message : String(error)}`, true);
  } finally {
    button.disabled = false;
  }
}

async function runPool(wasm: DiceKernel): Promise<void> {
  const body = element<HTMLTableElement>('pool-timing').tBodies[0];
  body.replaceChildren();
  if (!globalThis.crossOriginIsolated) {
    element('pool-status').textContent =
      'This page is not cross-origin isolated (no COOP/COEP headers), so it has no SharedArrayBuffer: the thread ' +
      'pool cannot start. npm run demo and a server sending the headers of docs/demo.md give it.';
    return;
  }
  const threads = Math.min(Math.max(navigator.hardwareConcurrency || 2, 2), 4);
  const pool = await createDicePool({ threads });
  try {
    const shape = [1, 3, POOL_VOXELS];
    const logits = pool.alloc(Float32Array, 3 * POOL_VOXELS);
    const labels = pool.alloc(Uint8Array, POOL_VOXELS);
    for (let i = 0; i < logits.length; i++) logits[i] = Math.sin(i * 0.37) * 3;
    for (let i = 0; i < labels.length; i++) labels[i] = (i >> 7) % 3;
    const options = { shape, activation: 'softmax' as const };
    const one = medianMs(() => wasm.diceCELossWithGrad(logits, labels, options), 300);
    // The pool's calls are asynchronous: timed one by one.
    const times: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      await pool.diceCELossWithGrad(logits, labels, options);
      times.push(performance.now() - t0);
    }
    const pooled = times.sort((a, b) => a - b)[times.length >> 1];
    element('pool-status').textContent =
      `Cross-origin isolated: a pool of ${pool.threads} workers on one shared WebAssembly memory ` +
      `(${navigator.hardwareConcurrency} logical cores here).`;
    addRow('pool-timing', 'pool', [
      `Dice + CE loss and gradient, softmax, 3×${POOL_VOXELS} logits`,
      formatMs(one),
      formatMs(pooled),
      `${(one / pooled).toFixed(1)}×`,
    ]);
  } finally {
    await pool.terminate();
  }
}

export function setupSpeed(): void {
  element('speed-run').addEventListener('click', () => void run());
}
