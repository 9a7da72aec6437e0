// The runtime matrix's checks (test/runtimes/runtimes.matrix.ts), the same in every runtime: Node,
// Deno, Bun and the browsers. An ES module that gets the package's exports (`dice`, imported by
// name or required) from its caller and returns plain data; the matrix holds the expectations.
// It builds on test/loading/checks.js and pool-checks.js (globalThis.diceChecks, poolChecks),
// loaded before it.

/** The seeds of the random cases (test/loading/checks.js randomCases), as in the browser loading tests. */
export const SEEDS = [11, 12, 13];

/** The worked example on simd, scalar and js (and the default), with loadDice and with loadDiceSync. */
export async function backends(dice) {
  const { workedExampleOnEveryBackend } = globalThis.diceChecks;
  return {
    async: await workedExampleOnEveryBackend(dice.loadDice),
    sync: await workedExampleOnEveryBackend(async (options) => dice.loadDiceSync(options)),
  };
}

/** Value and gradient of the seeded random cases on simd and scalar against js (rows also hold js's loss). */
export async function agreement(dice) {
  const kernels = await Promise.all(['simd', 'scalar', 'js'].map((backend) => dice.loadDice({ backend })));
  return SEEDS.map((seed) => ({ seed, rows: globalThis.diceChecks.agreement(kernels, seed) }));
}

/**
 * The thread pool: its default size; pools of 2 threads against loadDice() on the same calls
 * (pool-checks.js compare); arrays from pool.alloc across a growth of the shared memory; and the
 * same comparison in a pool started inside a worker (`inWorker`, which the caller runs: its
 * worker API is the runtime's). `withoutWaitAsync` removes Atomics.waitAsync first, as in an
 * engine that lacks it (the workers then report by message), and puts it back after.
 */
export async function pool(dice, { withoutWaitAsync = false, inWorker } = {}) {
  const waitAsync = Atomics.waitAsync;
  const hadWaitAsync = typeof waitAsync === 'function';
  if (withoutWaitAsync) delete Atomics.waitAsync;
  try {
    const usual = await dice.createDicePool();
    const defaultThreads = usual.threads;
    await usual.terminate();
    return {
      hadWaitAsync,
      waitAsyncDuring: typeof Atomics.waitAsync,
      defaultThreads,
      ...(await globalThis.poolChecks.compare(dice)),
      growth: await poolGrowth(dice),
      inWorker: inWorker ? await inWorker() : null,
    };
  } finally {
    if (withoutWaitAsync) Atomics.waitAsync = waitAsync;
  }
}

/** Largest elementwise difference of two gradients over the largest magnitude of the second. */
function gradError(got, want) {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    worst = Math.max(worst, Math.abs(got[i] - want[i]));
  }
  return worst / scale;
}

/** A pool call on an array from pool.alloc made before its memory grew by 128 MiB, and on one at the far end after. */
async function poolGrowth(dice) {
  const random = globalThis.diceChecks.rng(7);
  const C = 2;
  const S = 50000;
  const options = { shape: [1, C, S] };
  const pool = await dice.createDicePool({ threads: 2, parallelThreshold: 0 });
  try {
    const early = pool.alloc(Float32Array, C * S);
    for (let i = 0; i < early.length; i++) early[i] = 8 * random() - 4;
    const labels = Uint8Array.from({ length: S }, () => Math.floor(random() * C));
    const before = pool.memory.buffer.byteLength;
    const late = pool.alloc(Float32Array, 32 << 20);
    const grewBy = pool.memory.buffer.byteLength - before;
    late.set(early, late.length - C * S);
    const expected = (await dice.loadDice()).diceCELossWithGrad(Float32Array.from(early), labels, options);
    const rows = [];
    for (const x of [early, late.subarray(late.length - C * S)]) {
      const got = await pool.diceCELossWithGrad(x, labels, options);
      rows.push({ loss: got.loss, expected: expected.loss, gradError: gradError(got.grad, expected.grad) });
    }
    return { grewBy, rows };
  } finally {
    await pool.terminate();
  }
}

/** What createDicePool says where shared memory is missing. */
export function refusal(dice) {
  return globalThis.poolChecks.refusal(dice);
}

/**
 * Arrays from a kernel's alloc across growth: another kernel's memory grows, then this one's. On
 * a shared memory (Node, Deno, Bun, isolated pages) they stay valid and in place; on a memory
 * that is not shared, growth detaches them and a call refuses them. A freed array is refused.
 */
export async function memory(dice) {
  const { WORKED_PRED, WORKED_TARGET } = globalThis.diceChecks;
  const attempt = (call) => {
    try {
      return call();
    } catch (error) {
      return `${error.name}: ${error.message}`;
    }
  };
  const k = await dice.loadDice();
  const other = await dice.loadDice();
  const pred = k.alloc(Float32Array, 9);
  pred.set(WORKED_PRED);
  const target = k.alloc(Float32Array, 9);
  target.set(WORKED_TARGET);
  const before = k.diceLoss(pred, target);
  other.alloc(Float32Array, 8 << 20);
  const afterOtherGrew = attempt(() => k.diceLoss(pred, target));
  const bytes = k.memory.buffer.byteLength;
  k.alloc(Float32Array, 8 << 20);
  const grewBy = k.memory.buffer.byteLength - bytes;
  const afterGrowth = attempt(() => k.diceLoss(pred, target));
  k.free(pred);
  const afterFree = attempt(() => k.diceLoss(pred, Float32Array.from(WORKED_TARGET)));
  return {
    shared: typeof SharedArrayBuffer === 'function' && k.memory.buffer instanceof SharedArrayBuffer,
    before,
    afterOtherGrew,
    grewBy,
    afterGrowth,
    afterFree,
  };
}

/** Runs a worker that computes the worked example on every backend and posts it back (after a 'run' message). */
export function runWorker(worker) {
  return new Promise((resolve, reject) => {
    const done = (settle, value) => {
      worker.terminate();
      settle(value);
    };
    worker.onmessage = (event) => done(resolve, event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      done(reject, new Error(`worker: ${event.message}`));
    };
    worker.postMessage('run');
  });
}
