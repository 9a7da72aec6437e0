// `dice-wasm demo`: the worked example on every backend, then a 512×512 four-class softmax
// case timed on the WebAssembly and TypeScript backends.
import { loadDice } from '../load.js';

const WORKED_PRED = [
  0.38574776, 0.08795848, 0.83927506, 0.21592768, 0.44453627, 0.10463644, 0.8793516, 0.65118235, 0.5184219,
];
const WORKED_TARGET = [1, 0, 0, 0, 0, 0, 1, 1, 1];

export async function demo(print: (line: string) => void): Promise<void> {
  const pred = Float32Array.from(WORKED_PRED);
  const target = Float32Array.from(WORKED_TARGET);
  const fast = await loadDice();
  const reference = await loadDice({ backend: 'js' });

  print('Worked example (3×3, smooth 1): expected intersection 2.4347036, coefficient 0.64307916, loss 0.35692084');
  for (const k of [fast, reference]) {
    const coefficient = k.diceCoefficient(pred, target) as number;
    const loss = k.diceLoss(pred, target) as number;
    const unsmoothed = k.diceLoss(pred, target, { smooth: 0 }) as number;
    print(
      `  ${k.backend.padEnd(6)} coefficient ${coefficient.toFixed(8)}  loss ${loss.toFixed(8)}  loss ` +
        `(smooth 0) ${unsmoothed.toFixed(8)}`,
    );
  }

  const shape = [1, 4, 512, 512];
  const { logits, labels } = syntheticCase(shape);
  const options = { shape, activation: 'softmax' as const };
  print('');
  print('512×512, 4 classes, softmax from logits, label-map target: Dice value + gradient');
  const times: Record<string, number> = {};
  for (const k of [fast, reference]) {
    const grad = new Float32Array(logits.length);
    const { loss } = k.diceLossWithGrad(logits, labels, { ...options, out: grad });
    times[k.backend] = medianMs(() => k.diceLossWithGrad(logits, labels, { ...options, out: grad }));
    print(`  ${k.backend.padEnd(6)} loss ${loss.toFixed(8)}  median ${times[k.backend].toFixed(2)} ms`);
  }
  print(`  ${fast.backend} is ${(times.js / times[fast.backend]).toFixed(1)}× the TypeScript backend on this machine`);
}

function medianMs(run: () => unknown): number {
  const samples: number[] = [];
  const deadline = performance.now() + 1500;
  while (samples.length < 5 || (samples.length < 50 && performance.now() < deadline)) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

/** Four blobs on a 512×512 grid as labels, and noisy logits that mostly agree with them. */
function syntheticCase(shape: number[]): { logits: Float32Array; labels: Uint8Array } {
  const [, C, H, W] = shape;
  const labels = new Uint8Array(H * W);
  const logits = new Float32Array(C * H * W);
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = y * W + x;
      const label = Math.hypot(x - 160, y - 160) < 90 ? 1 : Math.hypot(x - 350, y - 330) < 120 ? 2 : x > 440 ? 3 : 0;
      labels[s] = label;
      for (let c = 0; c < C; c++) logits[c * H * W + s] = (c === label ? 2 : 0) + 2 * (random() - 0.5);
    }
  }
  return { logits, labels };
}
