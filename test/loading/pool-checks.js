// The thread pool's checks, wherever the package was loaded (Node, imported or required; a page
// as a module, the IIFE, an app bundled by Vite): a script, not a module, that sets
// globalThis.poolChecks, after checks.js (its seeded generator). Each check gets the package's
// exports (`dice`) and returns plain numbers and messages; the test (test/packaging/pool.test.ts)
// holds the expectations.
// biome-ignore lint/suspicious/noRedundantUseStrict: a classic script (page.addScriptTag), not only a module
'use strict';
globalThis.poolChecks = (() => {
  const { rng } = globalThis.diceChecks;

  /** Calls that the pools below split across their workers, and the options to make them with. */
  function cases() {
    const random = rng(2026);
    const S = 20001,
      C = 3;
    const logits = Float32Array.from({ length: 2 * C * S }, () => 8 * random() - 4);
    const labels = Uint8Array.from({ length: 2 * S }, () => Math.floor(random() * C));
    const n = 50003;
    const probs = Float32Array.from({ length: n }, () => random());
    const mask = Float32Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0));
    const V = 1 << 18;
    const big = Float32Array.from({ length: 4 * V }, () => 8 * random() - 4);
    const bigLabels = Uint8Array.from({ length: V }, () => Math.floor(random() * 4));
    return [
      {
        name: 'diceCE, softmax, [2, 3, 20001]',
        method: 'diceCELossWithGrad',
        pred: logits,
        target: labels,
        options: { shape: [2, C, S] },
      },
      { name: 'binary Dice, 50003 probabilities', method: 'diceLossWithGrad', pred: probs, target: mask, options: {} },
      {
        name: 'diceCE, softmax, [1, 4, 2^18], default threshold',
        method: 'diceCELossWithGrad',
        pred: big,
        target: bigLabels,
        options: { shape: [1, 4, V] },
        defaultPool: true,
      },
    ];
  }

  /**
   * In a cross-origin isolated page: a pool of 2 workers (every call split) and one with the
   * default threshold against loadDice() on the same calls, then terminate.
   */
  async function compare(dice) {
    const kernel = await dice.loadDice();
    const split = await dice.createDicePool({ threads: 2, parallelThreshold: 0 });
    const usual = await dice.createDicePool({ threads: 2 });
    const rows = [];
    for (const c of cases()) {
      const expected = kernel[c.method](c.pred, c.target, c.options);
      const got = await (c.defaultPool ? usual : split)[c.method](c.pred, c.target, c.options);
      let scale = 0,
        worst = 0;
      for (let i = 0; i < expected.grad.length; i++) {
        scale = Math.max(scale, Math.abs(expected.grad[i]));
        worst = Math.max(worst, Math.abs(got.grad[i] - expected.grad[i]));
      }
      rows.push({
        name: c.name,
        loss: got.loss,
        expected: expected.loss,
        lossError: Math.abs(got.loss - expected.loss) / Math.abs(expected.loss),
        gradError: worst / scale,
        gradLength: got.grad.length,
      });
    }
    const pending = split.diceCELoss(cases()[0].pred, cases()[0].target, cases()[0].options);
    await split.terminate();
    await usual.terminate();
    const terminated = await pending.then(
      () => 'resolved',
      (error) => error.message,
    );
    return {
      isolated: globalThis.crossOriginIsolated,
      threads: split.threads,
      backend: split.backend,
      rows,
      terminated,
    };
  }

  /** Outside cross-origin isolation: what createDicePool says. */
  async function refusal(dice) {
    return dice.createDicePool({ threads: 2 }).then(
      (pool) => {
        pool.terminate();
        return 'created';
      },
      (error) => `${error.name}: ${error.message}`,
    );
  }

  return { compare, refusal };
})();
