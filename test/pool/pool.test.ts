// The thread pool (createDicePool) against the single-thread kernel, which the rest of the suite
// tests against independent references and which is the oracle here: every loss of the family
// over random shapes and options with every call split across the workers (parallelThreshold 0),
// the kernel's other methods, bad input, terminate, a worker that fails or exits, the path
// without Atomics.waitAsync, refusal without cross-origin isolation, growth of the shared memory
// under the workers, and flat memory over many calls. Speed is measured in bench/pool.bench.ts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicePool, loadDice, type DiceKernel, type DicePool, type PoolOptions } from '../../src/index.js';
import { sharedWasm } from '../../src/runtime/binaries.js';
import { createSharedMemory } from '../../src/runtime/shared-memory.js';
import { controlBytes, Crew, PENDING_WORD, sequenceWord } from '../../src/pool/crew.js';
import { heapGrowth } from '../support/heap.js';
import { build, caseArbitrary, expectClose, expectGradClose, runLoss, type Placement } from '../support/loss-cases.js';
import { rng } from '../support/random.js';
import type { KernelCall } from '../../src/backends/wasm/calls.js';

const NONE: Placement = [false, false, false, false];

/** The pool's private crew, for the tests that make a worker fail. */
const crewOf = (pool: DicePool): Crew => (pool as unknown as { crew: Crew }).crew;

let kernels: Record<'simd' | 'scalar', DiceKernel>;
/** Every call split: two workers on the SIMD build, three on the scalar build (uneven shares). */
let pools: Record<'simd' | 'scalar', DicePool>;

beforeAll(async () => {
  kernels = { simd: await loadDice({ backend: 'simd' }), scalar: await loadDice({ backend: 'scalar' }) };
  pools = {
    simd: await createDicePool({ threads: 2, parallelThreshold: 0 }),
    scalar: await createDicePool({ threads: 3, backend: 'scalar', parallelThreshold: 0 }),
  };
});
afterAll(async () => {
  await Promise.all(Object.values(pools ?? {}).map((pool) => pool.terminate()));
});

/** A pool for one test, terminated after `body` however it ends. */
async function withPool(options: PoolOptions, body: (pool: DicePool) => Promise<void>): Promise<void> {
  const pool = await createDicePool(options);
  try {
    await body(pool);
  } finally {
    await pool.terminate();
  }
}

/** A call's outcome: its result, or its error's type and message. */
async function outcome<T>(call: () => T | Promise<T>): Promise<{ ok: T } | { error: string }> {
  try {
    return { ok: await call() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function logits(n: number, seed: number): Float32Array {
  const random = rng(seed);
  return Float32Array.from({ length: n }, () => 8 * random() - 4);
}

function labels(n: number, C: number, seed: number): Uint8Array {
  const random = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(random() * C));
}

describe.each(['simd', 'scalar'] as const)('pool ≡ single thread (%s)', (backend) => {
  it('for every loss over random shapes, layouts, activations, targets, masks and placements', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const b = build(c);
        const expected = await outcome(() => runLoss(kernels[backend], b, NONE));
        const got = await outcome(() => runLoss(pools[backend], b, c.resident));
        if ('error' in expected) {
          expect(got).toEqual(expected);
          return;
        }
        expect('ok' in got, JSON.stringify(got)).toBe(true);
        const { value, loss, grad } = (got as { ok: typeof expected.ok }).ok;
        expectClose(value, expected.ok.value, 'value');
        expectClose(loss, expected.ok.loss, 'loss');
        expectGradClose(grad, expected.ok.grad, 'gradient');
      }),
      { numRuns: 150 },
    );
  });

  it('softmax + cross-entropy (diceCELossWithGrad), binary Dice: lengths 0, 1, not multiples of 4, 16', async () => {
    const k = kernels[backend],
      pool = pools[backend];
    for (const S of [0, 1, 2, 3, 5, 15, 17, 63, 4097, 70_001]) {
      const C = 3,
        x = logits(2 * C * S, S + 1),
        y = labels(2 * S, C, S + 2);
      const options = { shape: [2, C, S] };
      const expected = await outcome(() => k.diceCELossWithGrad(x, y, options));
      const got = await outcome(() => pool.diceCELossWithGrad(x, y, options));
      if ('error' in expected) {
        expect(got, `S = ${S}`).toEqual(expected);
        continue;
      }
      const ok = (got as { ok: typeof expected.ok }).ok;
      expectClose(ok.loss, expected.ok.loss, `diceCE loss, S = ${S}`);
      expectGradClose(ok.grad, expected.ok.grad, `diceCE gradient, S = ${S}`);

      const p = Float32Array.from(x.subarray(0, S), (v) => 1 / (1 + Math.exp(-v)));
      const t = Float32Array.from(y.subarray(0, S), (v) => (v === 1 ? 1 : 0));
      expect(await outcome(() => pool.diceLoss(p, t))).toEqual(await outcome(() => k.diceLoss(p, t)));
      expect(await outcome(() => pool.diceCoefficient(p, t))).toEqual(await outcome(() => k.diceCoefficient(p, t)));
      const binary = await outcome(() => k.diceLossWithGrad(p, t));
      const pooled = await outcome(() => pool.diceLossWithGrad(p, t));
      if ('error' in binary) {
        expect(pooled).toEqual(binary);
      } else {
        expectClose((pooled as typeof binary).ok.loss, binary.ok.loss, `binary Dice, S = ${S}`);
        expectGradClose((pooled as typeof binary).ok.grad, binary.ok.grad, `binary Dice gradient, S = ${S}`);
      }
    }
  });
});

describe('the pool', () => {
  it('has every loss and metric method of the kernel, each returning a Promise of the same result', async () => {
    const k = kernels.simd,
      pool = pools.simd;
    const kernelMethods = Object.getOwnPropertyNames(Object.getPrototypeOf(k)).filter(
      (name) =>
        name !== 'createLoss' && /Loss$|LossWithGrad$|^diceCoefficient$|^confusion$|[mM]etrics$|Metric$/.test(name),
    );
    // 12 losses, 2 Lovász losses and 4 volume losses (clDice, Dice + clDice, Hausdorff-DT, boundary),
    // each with a WithGrad twin; diceCoefficient, confusion, metrics, surfaceMetrics, lesionMetrics,
    // objectMetrics, createMetric, createSurfaceMetric
    expect(kernelMethods.length).toBe(44);
    for (const name of ['connectedComponents', 'panopticQuality'])
      expect(typeof (pool as unknown as Record<string, unknown>)[name], name).toBe('function');
    for (const name of kernelMethods)
      expect(typeof (pool as unknown as Record<string, unknown>)[name], name).toBe('function');

    const C = 3,
      S = 1000,
      x = logits(C * S, 5),
      y = labels(S, C, 6);
    const options = { shape: [1, C, S] };
    expect(pool.diceLoss(x, y, { ...options, activation: 'softmax' })).toBeInstanceOf(Promise);
    const hinge = logits(S, 7),
      mask = Uint8Array.from(y, (v) => (v > 0 ? 1 : 0));
    expect(await pool.lovaszHingeLoss(hinge, mask)).toBe(k.lovaszHingeLoss(hinge, mask));
    expect(await pool.lovaszSoftmaxLossWithGrad(x, y, options)).toEqual(k.lovaszSoftmaxLossWithGrad(x, y, options));
    const predLabels = labels(S, C, 8);
    expect(await pool.confusion(predLabels, y, { numClasses: C })).toEqual(
      k.confusion(predLabels, y, { numClasses: C }),
    );
    expect(await pool.metrics(predLabels, y, { numClasses: C, metrics: ['dice', 'iou'] })).toEqual(
      k.metrics(predLabels, y, { numClasses: C, metrics: ['dice', 'iou'] }),
    );
    const metric = pool.createMetric({ numClasses: C, metrics: ['dice'] });
    metric.update(predLabels, y);
    expect(metric.compute()).toEqual(k.metrics(predLabels, y, { numClasses: C, metrics: ['dice'] }));
    const surfaceOptions = {
      numClasses: C,
      shape: [1, 40, 25],
      metrics: ['hausdorff95', 'nsd'],
      spacing: [1, 2],
      tolerance: 2,
    };
    expect(await pool.surfaceMetrics(predLabels, y, surfaceOptions)).toEqual(
      k.surfaceMetrics(predLabels, y, surfaceOptions),
    );
    const surface = pool.createSurfaceMetric({ numClasses: C, metrics: ['hausdorff'] });
    surface.update(predLabels, y, { shape: [1, 40, 25] });
    expect(surface.compute()).toEqual(
      k.surfaceMetrics(predLabels, y, { numClasses: C, shape: [1, 40, 25], metrics: ['hausdorff'] }),
    );
    const loss = pool.createLoss({ loss: 'lovaszSoftmax', shape: [1, C, S] });
    expect(await loss.value(x, y)).toBe(k.createLoss({ loss: 'lovaszSoftmax', shape: [1, C, S] }).value(x, y));
    // The instance metrics run on the calling thread, with the kernel's results.
    const instance = { numClasses: C, shape: [1, 40, 25], dilation: 1 };
    expect(await pool.lesionMetrics(predLabels, y, instance)).toEqual(k.lesionMetrics(predLabels, y, instance));
    expect(await pool.objectMetrics(predLabels, y, { numClasses: C, shape: [1, 40, 25] })).toEqual(
      k.objectMetrics(predLabels, y, { numClasses: C, shape: [1, 40, 25] }),
    );
    expect(await pool.connectedComponents(y, { shape: [1, 40, 25], connectivity: 8 })).toEqual(
      k.connectedComponents(y, { shape: [1, 40, 25], connectivity: 8 }),
    );
    expect(await pool.panopticQuality(predLabels, y, { shape: [1, 40, 25] })).toEqual(
      k.panopticQuality(predLabels, y, { shape: [1, 40, 25] }),
    );
    const lesions = pool.createMetric({ numClasses: C, metrics: ['lesion_dice', 'pq'] });
    lesions.update(predLabels, y, { shape: [1, 40, 25] });
    expect(lesions.compute()).toEqual(
      k
        .createMetric({ numClasses: C, metrics: ['lesion_dice', 'pq'] })
        .update(predLabels, y, { shape: [1, 40, 25] })
        .compute(),
    );
  });

  it('runs calls one after another, in the order made, and gives each its own result', async () => {
    const k = kernels.simd,
      pool = pools.simd;
    const C = 4,
      S = 20_000;
    const cases = [1, 2, 3, 4, 5].map((seed) => ({ x: logits(C * S, seed), y: labels(S, C, seed + 10) }));
    const options = { shape: [1, C, S] };
    const results = await Promise.all(cases.map(({ x, y }) => pool.diceCELossWithGrad(x, y, options)));
    cases.forEach(({ x, y }, i) => {
      const expected = k.diceCELossWithGrad(x, y, options);
      expectClose(results[i].loss, expected.loss, `call ${i}`);
      expectGradClose(results[i].grad, expected.grad, `call ${i}`);
    });
  });

  it('rejects bad input as the kernel throws it, and writes nothing', async () => {
    const pool = pools.simd;
    const out = new Float32Array(8).fill(7);
    await expect(pool.diceLossWithGrad(new Float32Array(8), new Float32Array(7), { out })).rejects.toThrow(RangeError);
    await expect(pool.diceLossWithGrad(new Float32Array(8), new Float32Array(7), { out })).rejects.toThrow(
      /diceLossWithGrad: target/,
    );
    await expect(
      pool.diceCELoss(new Float32Array(8), new Uint8Array(4), { shape: [1, 2, 4], bogus: 1 } as never),
    ).rejects.toThrow(/diceCELoss: option 'bogus' is not an option/);
    await expect(
      pool.diceLoss(new Float32Array(8), new Uint8Array([0, 1, 2, 0, 1, 0, 1, 0]), {
        shape: [1, 2, 4],
        target: 'labels',
      }),
    ).rejects.toThrow(/diceLoss: target/);
    const none = pool.createLoss({ loss: 'dice', reduction: 'none' });
    await expect(none.valueAndGrad(new Float32Array(4), new Float32Array(4))).rejects.toThrow(
      /valueAndGrad: reduction 'none'/,
    );
    expect(Array.from(out)).toEqual(new Array(8).fill(7));
    // A bad call leaves the pool usable.
    expect(await pool.diceLoss(new Float32Array([1, 0]), new Float32Array([1, 0]))).toBeCloseTo(0, 12);
  });

  it('refuses bad options, naming them', async () => {
    await expect(createDicePool({ threads: 0 })).rejects.toThrow(
      /createDicePool: threads must be an integer from 1 to 256; got 0/,
    );
    await expect(createDicePool({ threads: 1.5 })).rejects.toThrow(RangeError);
    await expect(createDicePool({ threads: '2' as never })).rejects.toThrow(/threads must be an integer/);
    await expect(createDicePool({ backend: 'js' as never })).rejects.toThrow(
      /createDicePool: backend must be 'simd' or 'scalar'/,
    );
    await expect(createDicePool({ parallelThreshold: -1 })).rejects.toThrow(
      /createDicePool: parallelThreshold must be a finite number ≥ 0/,
    );
    await expect(createDicePool({ thread: 2 } as never)).rejects.toThrow(
      /createDicePool: option 'thread' is not an option of createDicePool \(did you mean 'threads'\?\)/,
    );
  });

  it('keeps arrays from pool.alloc valid and readable by the workers when the shared memory grows', async () => {
    await withPool({ threads: 2, parallelThreshold: 0 }, async (pool) => {
      const C = 2,
        S = 50_000;
      const early = pool.alloc(Float32Array, C * S);
      early.set(logits(C * S, 21));
      const y = labels(S, C, 22);
      const before = pool.memory.buffer.byteLength;
      const late = pool.alloc(Float32Array, 32 << 20); // grows the memory beyond what the workers started with
      expect(pool.memory.buffer.byteLength).toBeGreaterThan(before + (128 << 20));
      late.fill(0, 0, C * S);
      late.set(early.subarray(0, C * S), late.length - C * S); // the far end of the grown memory
      const options = { shape: [1, C, S] };
      const expected = kernels.simd.diceCELossWithGrad(Float32Array.from(early), y, options);
      for (const x of [early, late.subarray(late.length - C * S)]) {
        const got = await pool.diceCELossWithGrad(x, y, options);
        expectClose(got.loss, expected.loss, 'loss');
        expectGradClose(got.grad, expected.grad, 'gradient');
      }
      pool.free(late);
      pool.free(early);
    });
  });

  it(
    'reserve() grows the shared memory now, so that arrays of that size come without growing it, and the workers ' +
      'read them',
    async () => {
      await withPool({ threads: 2, parallelThreshold: 0 }, async (pool) => {
        const C = 2,
          S = 1 << 20;
        const before = pool.memory.buffer.byteLength;
        pool.reserve(3 * 4 * C * S + (1 << 20));
        const reserved = pool.memory.buffer.byteLength;
        expect(reserved).toBeGreaterThanOrEqual(before + 3 * 4 * C * S);
        const x = pool.alloc(Float32Array, C * S);
        const y = pool.alloc(Float32Array, C * S);
        const out = pool.alloc(Float32Array, C * S);
        expect(pool.memory.buffer.byteLength).toBe(reserved);
        x.set(logits(C * S, 71));
        const classes = labels(S, C, 72);
        for (let i = 0; i < S; i++) y[classes[i] * S + i] = 1;
        const options = { shape: [1, C, S], out };
        const expected = kernels.simd.diceCELossWithGrad(Float32Array.from(x), Float32Array.from(y), {
          shape: [1, C, S],
        });
        const got = await pool.diceCELossWithGrad(x, y, options);
        expect(got.grad).toBe(out);
        expectClose(got.loss, expected.loss, 'loss');
        expectGradClose(out, expected.grad, 'gradient');
        expect(pool.memory.buffer.byteLength).toBe(reserved);
        expect(() => pool.reserve(-1)).toThrow(/^reserve: bytes must be a non-negative integer; got number -1$/);
        expect(() => pool.reserve(1.5)).toThrow(RangeError);
      });
    },
  );

  it(
    'stagingBytes sizes the staging area of the calls it runs on the calling thread (plain arrays streamed through ' +
      'it)',
    async () => {
      const C = 2,
        S = 1 << 20,
        x = logits(C * S, 81),
        y = labels(S, C, 82);
      const options = { shape: [1, C, S] };
      const expected = kernels.simd.diceCELossWithGrad(x, y, options);
      const grown: number[] = [];
      for (const stagingBytes of [4096, 64 << 20]) {
        // A threshold above the call's size: it runs on the calling thread, streaming its arrays.
        await withPool({ threads: 1, parallelThreshold: 1e12, stagingBytes }, async (pool) => {
          const before = pool.memory.buffer.byteLength;
          const got = await pool.diceCELossWithGrad(x, y, options);
          expectClose(got.loss, expected.loss, `stagingBytes ${stagingBytes}`);
          expectGradClose(got.grad, expected.grad, `stagingBytes ${stagingBytes}`);
          grown.push(pool.memory.buffer.byteLength - before);
        });
      }
      // 4 KiB: chunks of a few hundred voxels, no growth to speak of; 64 MiB: the whole call staged (pred, labels,
      // gradient: 18 MiB).
      expect(grown[0]).toBeLessThan(1 << 20);
      expect(grown[1]).toBeGreaterThanOrEqual(16 << 20);
      for (const [value, shown] of [
        [0, '0'],
        [1.5, '1.5'],
        ['64', '64'],
      ] as const) {
        await expect(createDicePool({ threads: 1, stagingBytes: value as number })).rejects.toThrow(
          new RegExp(`^createDicePool: stagingBytes must be a positive integer; got ${shown.replace('.', '\\.')}$`),
        );
      }
    },
  );

  it('keeps the WebAssembly memory and the JS heap flat over many split calls', async () => {
    await withPool({ threads: 2, parallelThreshold: 0 }, async (pool) => {
      const C = 3,
        S = 1031,
        x = logits(C * S, 31),
        y = labels(S, C, 32);
      const out = new Float32Array(C * S);
      const options = { shape: [1, C, S], out };
      const run = async () => {
        await pool.diceCELossWithGrad(x, y, options);
        await pool.scope(async (scope) => {
          const resident = scope.alloc(Float32Array, x.length);
          resident.set(x);
          await pool.diceLoss(resident, y, { shape: [1, C, S], activation: 'softmax' });
        });
      };
      for (let i = 0; i < 500; i++) await run();
      const size = pool.memory.buffer.byteLength;
      // 5000 split calls: a leak of one small object per call (≥ 52 bytes) would show in every measurement.
      const limit = 256 * 1024;
      const growths = await heapGrowth(run, 2500, limit);
      expect(Math.min(...growths), `heap growth over 2500 runs, each measurement: ${growths}`).toBeLessThan(limit);
      expect(pool.memory.buffer.byteLength).toBe(size);
    });
  });

  it('a worker woken without a new task runs nothing (a late notify of the task it already ran)', async () => {
    // The main thread notifies after bumping a worker's sequence number; preempted in between,
    // its notify can reach a worker that already ran that task and waits again.
    await withPool({ threads: 2, parallelThreshold: 0 }, async (pool) => {
      const C = 2,
        S = 9000,
        x = logits(C * S, 61),
        y = labels(S, C, 62);
      const expected = kernels.simd.diceCELossWithGrad(x, y, { shape: [1, C, S] });
      const words = (crewOf(pool) as unknown as { words: Int32Array }).words;
      const sequences = [sequenceWord(0), sequenceWord(1)];
      for (let round = 0; round < 3; round++) {
        const got = await pool.diceCELossWithGrad(x, y, { shape: [1, C, S] });
        expectClose(got.loss, expected.loss, 'loss');
        expect(words[PENDING_WORD]).toBe(0);
        const before = sequences.map((at) => words[at]);
        // Wake each worker while it sleeps (a notify that finds it waiting), then wait until it
        // sleeps again: only then has it dealt with that wake, whatever the machine's load.
        for (const at of sequences) await wakeWhenAsleep(words, at);
        for (const at of sequences) await wakeWhenAsleep(words, at);
        expect(words[PENDING_WORD]).toBe(0);
        expect(sequences.map((at) => words[at])).toEqual(before);
      }
      // And the pool still runs calls.
      expectClose((await pool.diceCELossWithGrad(x, y, { shape: [1, C, S] })).loss, expected.loss, 'loss after');
    });
  });

  it('works where Atomics.waitAsync is missing (workers then report by message)', async () => {
    const atomics = Atomics as unknown as { waitAsync?: unknown };
    const waitAsync = atomics.waitAsync;
    delete atomics.waitAsync;
    let pool: DicePool;
    try {
      pool = await createDicePool({ threads: 2, parallelThreshold: 0 });
    } finally {
      atomics.waitAsync = waitAsync;
    }
    try {
      const C = 4,
        S = 30_001,
        x = logits(C * S, 41),
        y = labels(S, C, 42);
      for (let i = 0; i < 3; i++) {
        const got = await pool.diceCELossWithGrad(x, y, { shape: [1, C, S] });
        const expected = kernels.simd.diceCELossWithGrad(x, y, { shape: [1, C, S] });
        expectClose(got.loss, expected.loss, 'loss');
        expectGradClose(got.grad, expected.grad, 'gradient');
      }
    } finally {
      await pool.terminate();
    }
  });
});

/**
 * Notifies the thread waiting on words[at] once one is (Atomics.notify reports how many it woke),
 * polling; throws if none waits there within the deadline.
 */
async function wakeWhenAsleep(words: Int32Array, at: number, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Atomics.notify(words, at, 1) === 0) {
    if (Date.now() > until) throw new Error(`no thread waited on word ${at} within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('terminate and failures', () => {
  it('terminate() rejects the call in progress and every later one, saying so', async () => {
    const pool = await createDicePool({ threads: 2, parallelThreshold: 0 });
    const C = 4,
      S = 1 << 18,
      x = logits(C * S, 51),
      y = labels(S, C, 52);
    const pending = pool.diceCELossWithGrad(x, y, { shape: [1, C, S] });
    const queued = pool.diceCELoss(x, y, { shape: [1, C, S] });
    await pool.terminate();
    await expect(pending).rejects.toThrow(/dice-wasm pool: the pool was terminated/);
    await expect(queued).rejects.toThrow(/the pool was terminated/);
    await expect(pool.diceLoss(new Float32Array(4), new Float32Array(4))).rejects.toThrow(/the pool was terminated/);
    await pool.terminate(); // a second time: nothing to do
  });

  it('a worker that fails (a trap in its kernel) rejects the call with its error; the pool is then dead', async () => {
    await withPool({ threads: 2, parallelThreshold: 0 }, async (pool) => {
      // A kernel call reading far outside the memory: the WebAssembly trap a corrupted call would hit.
      const beyond = 0xfffff000;
      const trap: KernelCall = {
        kernel: 'statsDense_f32',
        args: [beyond, beyond, beyond, 0, 0, 1, 1, 1024, 1024, 0, 0, 0, 0, 0, 0, 0],
      };
      await expect(crewOf(pool).run([trap], 0, 0)).rejects.toThrow(
        new RegExp(
          String.raw`dice-wasm pool: worker [01] failed \(statsDense_f32: RuntimeError: memory access out of ` +
            'bounds\\); the pool is terminated, create a new one',
        ),
      );
      await expect(pool.diceCELoss(logits(8, 1), labels(4, 2, 2), { shape: [1, 2, 4] })).rejects.toThrow(
        /worker [01] failed .* create a new one/,
      );
      const fresh = await createDicePool({ threads: 2, parallelThreshold: 0 });
      expect(await fresh.diceLoss(new Float32Array([1, 0]), new Float32Array([1, 0]))).toBeCloseTo(0, 12);
      await fresh.terminate();
    });
  });

  it('a worker that exits while a task runs rejects it instead of hanging', async () => {
    const memory = createSharedMemory(sharedWasm('simd').initialPages);
    const module = await WebAssembly.compile(sharedWasm('simd').bytes);
    // A stand-in worker: says it is ready, waits for its first task like a real one, then exits with code 7.
    const exiting = (port: string) => `const port = ${port};
      port.once('message', (init) => {
        const words = new Int32Array(init.memory.buffer, init.control, init.words);
        port.postMessage({ ready: true });
        Atomics.wait(words, init.seq, 0);
        process.exit(7);
      });`;
    const crew = await Crew.start(module, memory, 64 * 1024 - controlBytes(2), 2, exiting);
    const call: KernelCall = { kernel: 'statsDense_f32', args: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    await expect(crew.run([call, call], 0, 0)).rejects.toThrow(
      /dice-wasm pool: worker [01] failed \(exited with code 7\)/,
    );
    await expect(crew.run([call], 0, 0)).rejects.toThrow(/failed \(exited with code 7\)/);
    await crew.terminate();
  });

  it('refuses to start without shared memory (a page not cross-origin isolated), naming COOP/COEP', async () => {
    const global = globalThis as { crossOriginIsolated?: boolean };
    global.crossOriginIsolated = false;
    try {
      await expect(createDicePool({ threads: 2 })).rejects.toThrow(
        'createDicePool: needs SharedArrayBuffer, which a page has only when cross-origin isolated: serve it ' +
          'with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: ' +
          'require-corp (COOP/COEP)',
      );
    } finally {
      delete global.crossOriginIsolated;
    }
  });
});
