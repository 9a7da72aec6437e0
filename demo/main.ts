// The demo page: two PNG masks in, per-class Dice / IoU / precision / recall (the library's
// confusion kernel and metrics), an overlay of TP / FP / FN, and WebAssembly vs TypeScript timing.
import { loadDice, metricsFromCounts, type ConfusionCounts, type DiceKernel } from '../src/index.js';
import { readPng } from '../src/cli/formats/png.js';
import { formatShape, maxLabel, toLabels, type Labels } from '../src/cli/formats/volume.js';

const METRICS = ['dice', 'iou', 'precision', 'recall'] as const;
/** The timed case besides the masks themselves: the masks tiled to this many pixels a side. */
const TILED_SIDE = 1024;

interface Mask {
  name: string;
  width: number;
  height: number;
  labels: Labels;
}
type Side = 'pred' | 'truth';

const masks: Partial<Record<Side, Mask>> = {};
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = element<HTMLParagraphElement>('status');

function setStatus(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
}

async function load(side: Side, file: File): Promise<void> {
  element(`name-${side}`).textContent = file.name;
  try {
    const {
      shape: [height, width],
      voxels,
    } = readPng(new Uint8Array(await file.arrayBuffer()));
    masks[side] = { name: file.name, width, height, labels: toLabels(voxels, null) };
  } catch (error) {
    delete masks[side];
    element<HTMLElement>('results').hidden = true;
    setStatus(`${file.name} ${error instanceof Error ? error.message : String(error)}`, true);
    return;
  }
  await evaluate();
}

let kernels: Promise<{ wasm: DiceKernel; js: DiceKernel }> | undefined;

async function evaluate(): Promise<void> {
  const { pred, truth } = masks;
  if (!pred || !truth) {
    setStatus(`Waiting for the ${pred ? 'ground truth' : 'prediction'}.`);
    return;
  }
  if (pred.width !== truth.width || pred.height !== truth.height) {
    element<HTMLElement>('results').hidden = true;
    setStatus(
      `The masks differ in size: ${pred.name} is ${formatShape([pred.width, pred.height])}, ` +
        `${truth.name} is ${formatShape([truth.width, truth.height])}.`,
      true,
    );
    return;
  }
  kernels ??= Promise.all([loadDice(), loadDice({ backend: 'js' })]).then(([wasm, js]) => ({ wasm, js }));
  const { wasm, js } = await kernels;
  const numClasses = Math.max(maxLabel(pred.labels, null), maxLabel(truth.labels, null)) + 1;
  const counts = wasm.confusion(pred.labels, truth.labels, { numClasses });
  showMetrics(counts);
  showOverlay(pred, truth);
  element<HTMLElement>('results').hidden = false;
  setStatus(
    `${pred.name} vs ${truth.name}: ${formatShape([pred.width, pred.height])} pixels, labels 0–${numClasses - 1}.`,
  );
  showTiming(wasm, js, pred, truth, numClasses);
}

const fixed = (v: number) => (Number.isNaN(v) ? 'NaN' : v.toFixed(4));

function showMetrics(counts: ConfusionCounts): void {
  const values = metricsFromCounts(counts, { metrics: [...METRICS] }) as Record<string, Float64Array>;
  const body = element<HTMLTableElement>('metrics').tBodies[0];
  body.replaceChildren();
  for (let c = 1; c < counts.numClasses; c++) {
    if (counts.tp[c] + counts.fp[c] + counts.fn[c] === 0) continue;
    const row = body.insertRow();
    row.dataset.class = String(c);
    const cells: [string, string][] = [
      ['class', String(c)],
      ...METRICS.map((m): [string, string] => [m, fixed(values[m][c])]),
      ['tp', String(counts.tp[c])],
      ['fp', String(counts.fp[c])],
      ['fn', String(counts.fn[c])],
    ];
    for (const [key, text] of cells) {
      const cell = row.insertCell();
      cell.dataset.metric = key;
      cell.textContent = text;
    }
  }
}

/** TP where both say the same class, FP / FN where one says background, "wrong class" where they disagree. */
function showOverlay(pred: Mask, truth: Mask): void {
  const canvas = element<HTMLCanvasElement>('overlay');
  canvas.width = pred.width;
  canvas.height = pred.height;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(pred.width, pred.height);
  const style = getComputedStyle(document.documentElement);
  const colour = (name: string) => hexToRgb(style.getPropertyValue(name).trim());
  const colours = { tp: colour('--tp'), fp: colour('--fp'), fn: colour('--fn'), swap: colour('--swap') };
  const tally = { tp: 0, fp: 0, fn: 0, swap: 0 };
  for (let i = 0; i < pred.labels.length; i++) {
    const p = pred.labels[i],
      t = truth.labels[i];
    const kind = p === 0 && t === 0 ? null : p === t ? 'tp' : t === 0 ? 'fp' : p === 0 ? 'fn' : 'swap';
    const [r, g, b] = kind === null ? [17, 17, 17] : colours[kind];
    if (kind !== null) tally[kind]++;
    image.data.set([r, g, b, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  for (const [kind, count] of Object.entries(tally)) element(`count-${kind}`).textContent = String(count);
}

function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [value >> 16, (value >> 8) & 255, value & 255];
}

/** Median milliseconds per call of `run`, in batches long enough for the page's timer resolution. */
function medianMs(run: () => unknown): number {
  run();
  let calls = 1;
  for (let t0 = performance.now(); performance.now() - t0 < 2; calls *= 2) {
    for (let k = 0; k < calls; k++) run();
  }
  const samples: number[] = [];
  const deadline = performance.now() + 200;
  while (samples.length < 5 || (samples.length < 25 && performance.now() < deadline)) {
    const t0 = performance.now();
    for (let k = 0; k < calls; k++) run();
    samples.push((performance.now() - t0) / calls);
  }
  return samples.sort((a, b) => a - b)[samples.length >> 1];
}

function tile(mask: Mask): Labels {
  const out = new (mask.labels.constructor as { new (n: number): Labels })(TILED_SIDE * TILED_SIDE);
  for (let y = 0; y < TILED_SIDE; y++) {
    for (let x = 0; x < TILED_SIDE; x++)
      out[y * TILED_SIDE + x] = mask.labels[(y % mask.height) * mask.width + (x % mask.width)];
  }
  return out;
}

function formatMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toPrecision(3)} µs` : `${ms.toPrecision(3)} ms`;
}

function showTiming(wasm: DiceKernel, js: DiceKernel, pred: Mask, truth: Mask, numClasses: number): void {
  element('backend').textContent = `'${wasm.backend}'`;
  const body = element<HTMLTableElement>('timing').tBodies[0];
  body.replaceChildren();
  const cases: [string, Labels, Labels][] = [
    [`these masks (${formatShape([pred.width, pred.height])})`, pred.labels, truth.labels],
    [`tiled to ${TILED_SIDE}×${TILED_SIDE}`, tile(pred), tile(truth)],
  ];
  cases.forEach(([label, p, t], i) => {
    const options = { numClasses, metrics: [...METRICS] };
    const fast = medianMs(() => wasm.metrics(p, t, options));
    const slow = medianMs(() => js.metrics(p, t, options));
    const row = body.insertRow();
    row.dataset.case = i === 0 ? 'masks' : 'tiled';
    for (const text of [label, formatMs(fast), formatMs(slow), `${(slow / fast).toFixed(1)}×`])
      row.insertCell().textContent = text;
  });
}

for (const side of ['pred', 'truth'] as const) {
  const input = element<HTMLInputElement>(`file-${side}`);
  const zone = element<HTMLLabelElement>(`drop-${side}`);
  input.addEventListener('change', () => {
    if (input.files?.[0]) void load(side, input.files[0]);
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) void load(side, file);
  });
}
