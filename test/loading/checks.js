// The computations every loading test runs, wherever the package was loaded: Node (required or
// imported as a plain script), a page, a classic or a module Web Worker. A script, not a module,
// so that importScripts, <script src> and `import './checks.js'` all take it; it sets
// globalThis.diceChecks. The tests hold the expected numbers and make the assertions.
// biome-ignore lint/suspicious/noRedundantUseStrict: a classic script (<script src>, importScripts), not only a module
'use strict';
globalThis.diceChecks = (() => {
  const BACKENDS = ['simd', 'scalar', 'js'];
  const WORKED_PRED = [
    0.38574776, 0.08795848, 0.83927506, 0.21592768, 0.44453627, 0.10463644, 0.8793516, 0.65118235, 0.5184219,
  ];
  const WORKED_TARGET = [1, 0, 0, 0, 0, 0, 1, 1, 1];

  /** The README's worked example (3×3, smooth 1) on kernel `k`. */
  function workedExample(k) {
    const pred = Float32Array.from(WORKED_PRED);
    const target = Float32Array.from(WORKED_TARGET);
    return { backend: k.backend, loss: k.diceLoss(pred, target), coefficient: k.diceCoefficient(pred, target) };
  }

  /** The worked example on each backend, loaded with `load(options)` (loadDiceSync or loadDice). */
  async function workedExampleOnEveryBackend(load) {
    const results = { default: workedExample(await load()) };
    for (const backend of BACKENDS) results[backend] = workedExample(await load({ backend }));
    return results;
  }

  /** mulberry32, as in test/support/random.ts. */
  function rng(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** A few seeded cases across losses, activations, layouts and target kinds. */
  function randomCases(seed) {
    const random = rng(seed);
    const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
    const floats = (n, scale, shift) => Float32Array.from({ length: n }, () => random() * scale + shift);
    const h = int(5, 40);
    const w = int(5, 40);
    const n = int(1, 5000);
    const labels = (count, C) => Uint8Array.from({ length: count }, () => (random() < 0.05 ? 255 : int(0, C - 1)));
    return [
      {
        name: 'binary dice, probabilities',
        loss: 'dice',
        pred: floats(n, 1, 0),
        target: Float32Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0)),
        options: {},
      },
      {
        name: 'softmax dice, label map with ignoreIndex',
        loss: 'dice',
        pred: floats(2 * 3 * h * w, 8, -4),
        target: labels(2 * h * w, 3),
        options: { shape: [2, 3, h, w], activation: 'softmax', ignoreIndex: 255 },
      },
      {
        name: 'sigmoid squared batch dice, NHWC multi-label',
        loss: 'dice',
        pred: floats(h * w * 4, 8, -4),
        target: Float32Array.from({ length: h * w * 4 }, () => (random() < 0.3 ? 1 : 0)),
        options: { shape: [1, h, w, 4], layout: 'NHWC', activation: 'sigmoid', squared: true, batch: true },
      },
      {
        name: 'jaccard, softmax, label map',
        loss: 'jaccard',
        pred: floats(3 * 4 * h * w, 6, -3),
        target: labels(3 * h * w, 4),
        options: { shape: [3, 4, h, w], activation: 'softmax', ignoreIndex: 255 },
      },
      {
        name: 'focal tversky, sigmoid',
        loss: 'focalTversky',
        pred: floats(n, 10, -5),
        target: floats(n, 1, 0),
        options: { activation: 'sigmoid', alpha: 0.7, beta: 0.3, gamma: 0.75 },
      },
      {
        name: 'generalized dice, softmax',
        loss: 'generalizedDice',
        pred: floats(2 * 3 * h * w, 8, -4),
        target: labels(2 * h * w, 3),
        options: { shape: [2, 3, h, w], activation: 'softmax', ignoreIndex: 255 },
      },
    ];
  }

  /**
   * Value and gradient of every case on each WebAssembly kernel against the 'js' kernel:
   * { case, backend, loss, reference, valueError (relative), gradError (largest elementwise
   * difference over the reference's largest magnitude) }.
   */
  function agreement(kernels, seed) {
    const reference = kernels.find((k) => k.backend === 'js');
    const rows = [];
    for (const c of randomCases(seed)) {
      const expected = reference.createLoss({ loss: c.loss, ...c.options }).valueAndGrad(c.pred, c.target);
      let scale = 0;
      for (const g of expected.grad) scale = Math.max(scale, Math.abs(g));
      for (const k of kernels) {
        if (k === reference) continue;
        const got = k.createLoss({ loss: c.loss, ...c.options }).valueAndGrad(c.pred, c.target);
        let worst = 0;
        for (let i = 0; i < got.grad.length; i++) worst = Math.max(worst, Math.abs(got.grad[i] - expected.grad[i]));
        rows.push({
          case: c.name,
          backend: k.backend,
          loss: got.loss,
          reference: expected.loss,
          valueError: Math.abs(got.loss - expected.loss) / Math.max(Math.abs(expected.loss), 1e-6),
          gradError: worst / Math.max(scale, 1e-30),
          gradLength: got.grad.length,
          gradScale: scale,
        });
      }
    }
    return rows;
  }

  return {
    BACKENDS,
    WORKED_PRED,
    WORKED_TARGET,
    rng,
    workedExample,
    workedExampleOnEveryBackend,
    randomCases,
    agreement,
  };
})();
