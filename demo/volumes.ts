// The volumes view: two label files (or the bundled example) in, the slice viewer and the
// per-class metrics, computed on a Web Worker (metrics-worker.ts).
import { formatShape } from '../src/cli/formats/volume.js';
import { element, fixed, setStatus } from './dom.js';
import { METRICS, type ClassMetrics, type MetricsRequest, type WorkerMessage } from './geometry.js';
import { readLabelFile, type LabelFile } from './read.js';
import { classColour, draw, sliceOf, slices, type Plane, type Scene } from './viewer.js';

type Side = 'pred' | 'truth';
const files: Partial<Record<Side, LabelFile>> = {};
let scene: Scene | null = null;
let plane: Plane = 'axial';
const position: Record<Plane, number> = { axial: 0, coronal: 0, sagittal: 0 };
let worker: Worker | null = null;
let requestId = 0;
const STATUS = 'status';

/** The loaded pair, for the speed view (null until two matching files are loaded). */
export function loadedPair(): { pred: LabelFile; truth: LabelFile } | null {
  return scene && files.pred && files.truth ? { pred: files.pred, truth: files.truth } : null;
}

async function load(side: Side, name: string, bytes: Promise<Uint8Array>): Promise<void> {
  element(`name-${side}`).textContent = name;
  try {
    files[side] = await readLabelFile(name, await bytes);
  } catch (error) {
    delete files[side];
    hideResults();
    setStatus(STATUS, error instanceof Error ? error.message : String(error), true);
    return;
  }
  evaluate();
}

function hideResults(): void {
  scene = null;
  element('results').hidden = true;
  element('progress-box').hidden = true;
}

function evaluate(): void {
  const { pred, truth } = files;
  if (!pred || !truth) {
    setStatus(STATUS, `Waiting for the ${pred ? 'ground truth' : 'prediction'}.`);
    return;
  }
  if (formatShape(pred.grid.dims) !== formatShape(truth.grid.dims) || pred.grid.rank !== truth.grid.rank) {
    hideResults();
    setStatus(
      STATUS,
      `The shapes differ: ${pred.name} is ${formatShape(pred.shape)}, ${truth.name} is ${formatShape(truth.shape)}.`,
      true,
    );
    return;
  }
  let numClasses = 1;
  for (const labels of [pred.labels, truth.labels]) for (const v of labels) if (v >= numClasses) numClasses = v + 1;
  scene = { grid: truth.grid, pred: pred.labels, truth: truth.labels, distances: null, classes: [] };
  for (const p of ['axial', 'coronal', 'sagittal'] as const) position[p] = Math.floor(slices(scene.grid, p) / 2);
  element('results').hidden = false;
  const [nz, ny, nx] = truth.grid.dims;
  const [sz, sy, sx] = truth.grid.spacing.map((v) => Number(v.toPrecision(4)));
  setStatus(
    STATUS,
    `${pred.name} vs ${truth.name}: ${nx}×${ny}×${nz} voxels (x, y, z) of ${sx}×${sy}×${sz}, ` +
      `labels 0–${numClasses - 1}.`,
  );
  showLegend(numClasses);
  render();
  measure(numClasses);
}

function measure(numClasses: number): void {
  const { pred, truth } = files;
  if (!pred || !truth || !scene) return;
  worker ??= new Worker(new URL('./metrics-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => onWorker(event.data);
  const tolerance = Number(element<HTMLInputElement>('tolerance').value);
  const request: MetricsRequest = {
    id: ++requestId,
    pred: pred.labels,
    truth: truth.labels,
    grid: truth.grid,
    numClasses,
    tolerance: Number.isFinite(tolerance) && tolerance >= 0 ? tolerance : 0,
  };
  element('progress-box').hidden = false;
  element('metrics').setAttribute('aria-busy', 'true');
  worker.postMessage(request);
}

function onWorker(message: WorkerMessage): void {
  if (message.id !== requestId || !scene) return;
  const progress = element<HTMLProgressElement>('progress');
  if (message.type === 'progress') {
    progress.max = message.total;
    progress.value = message.done;
    element('progress-label').textContent = `Computing: ${message.stage} (${message.done}/${message.total})`;
    return;
  }
  element('progress-box').hidden = true;
  element('metrics').removeAttribute('aria-busy');
  if (message.type === 'error') {
    setStatus(STATUS, `The metrics could not be computed: ${message.message}`, true);
    return;
  }
  scene.distances = message.distances;
  scene.classes = message.classes;
  showTable(message.classes);
  element('worker-note').textContent =
    `Computed on a Web Worker in ${message.ms.toFixed(0)} ms ('${message.backend}' backend).`;
  element('metrics').dataset.ready = String(message.id);
  render();
}

function showTable(classes: ClassMetrics[]): void {
  const body = element<HTMLTableElement>('metrics').tBodies[0];
  body.replaceChildren();
  for (const c of classes) {
    const row = body.insertRow();
    row.dataset.class = String(c.label);
    const head = document.createElement('th');
    head.scope = 'row';
    head.textContent = String(c.label);
    head.dataset.metric = 'class';
    row.append(head);
    for (const m of METRICS) {
      const cell = row.insertCell();
      cell.dataset.metric = m;
      cell.dataset.value = String(c.values[m]);
      cell.textContent = fixed(c.values[m]);
    }
  }
  const marks = element('hd-marks');
  marks.replaceChildren();
  for (const c of classes) {
    if (c.hausdorff === null) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.class = String(c.label);
    const [z, y, x] = c.hausdorff.from;
    const apart = fixed(c.hausdorff.distance);
    button.textContent = `Show class ${c.label}'s Hausdorff voxels (${apart} apart; x ${x}, y ${y}, z ${z})`;
    button.addEventListener('click', () => {
      if (!scene || !c.hausdorff) return;
      position[plane] = sliceOf(scene.grid, plane, c.hausdorff.from);
      render();
    });
    marks.append(button);
  }
}

function showLegend(numClasses: number): void {
  const legend = element('legend');
  legend.replaceChildren();
  for (let c = 1; c < numClasses; c++) {
    for (const [kind, text] of [
      ['tp', 'TP'],
      ['fp', 'FP'],
      ['fn', 'FN'],
    ] as const) {
      const item = document.createElement('li');
      const swatch = document.createElement('i');
      swatch.style.background = `rgb(${classColour(c, kind).join(',')})`;
      item.append(swatch, `class ${c} ${text}`);
      legend.append(item);
    }
  }
  const item = document.createElement('li');
  item.textContent = '○ the two voxels that realise a class’s Hausdorff distance';
  legend.append(item);
}

function render(): void {
  if (!scene) return;
  const slider = element<HTMLInputElement>('slice');
  const count = slices(scene.grid, plane);
  position[plane] = Math.min(Math.max(position[plane], 0), count - 1);
  slider.max = String(count - 1);
  slider.value = String(position[plane]);
  slider.setAttribute('aria-valuetext', `${plane} slice ${position[plane] + 1} of ${count}`);
  element('slice-label').textContent = `${position[plane] + 1} / ${count}`;
  const canvas = element<HTMLCanvasElement>('view');
  const showDistances = element<HTMLInputElement>('show-distances').checked;
  const drawn = draw(canvas, scene, plane, position[plane], showDistances, canvas.parentElement?.clientWidth ?? 600);
  canvas.dataset.plane = plane;
  canvas.dataset.slice = String(position[plane]);
  canvas.dataset.tally = JSON.stringify(drawn.tally);
  canvas.dataset.marks = String(drawn.marks);
}

function setPlane(next: Plane): void {
  plane = next;
  for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="plane"]')))
    radio.checked = radio.value === next;
  render();
}

function step(by: number): void {
  position[plane] += by;
  render();
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export function setupVolumes(): void {
  for (const side of ['pred', 'truth'] as const) {
    const input = element<HTMLInputElement>(`file-${side}`);
    const zone = element<HTMLLabelElement>(`drop-${side}`);
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file)
        void load(
          side,
          file.name,
          file.arrayBuffer().then((b) => new Uint8Array(b)),
        );
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
      if (file)
        void load(
          side,
          file.name,
          file.arrayBuffer().then((b) => new Uint8Array(b)),
        );
    });
  }
  element('load-example').addEventListener('click', async () => {
    const base = new URL('example/', document.baseURI).href;
    await load('pred', 'pred.nii.gz', fetchBytes(`${base}pred.nii.gz`));
    await load('truth', 'truth.nii.gz', fetchBytes(`${base}truth.nii.gz`));
  });
  for (const radio of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="plane"]')))
    radio.addEventListener('change', () => setPlane(radio.value as Plane));
  element<HTMLInputElement>('slice').addEventListener('input', (event) => {
    position[plane] = Number((event.target as HTMLInputElement).value);
    render();
  });
  element('show-distances').addEventListener('change', render);
  element('tolerance').addEventListener('change', () => {
    if (!scene) return;
    let numClasses = 1;
    for (const labels of [scene.pred, scene.truth]) for (const v of labels) if (v >= numClasses) numClasses = v + 1;
    measure(numClasses);
  });
  // Letters change the plane anywhere in the viewer; arrows and pages step the slices on the canvas
  // (the slider and the radio buttons keep their own arrow keys).
  document.querySelector('.viewer')?.addEventListener('keydown', (event) => {
    const key = (event as KeyboardEvent).key;
    const onCanvas = event.target === element('view');
    const steps: Record<string, number> = {
      ArrowUp: 1,
      ArrowRight: 1,
      ArrowDown: -1,
      ArrowLeft: -1,
      PageUp: 10,
      PageDown: -10,
    };
    const planes: Record<string, Plane> = { a: 'axial', c: 'coronal', s: 'sagittal' };
    if (onCanvas && key in steps) step(steps[key]);
    else if (key in planes) setPlane(planes[key]);
    else return;
    event.preventDefault();
  });
  window.addEventListener('resize', render);
}
