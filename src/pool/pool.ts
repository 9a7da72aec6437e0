// createDicePool: the kernel's losses and metrics, Promise-returning, with the two kernel passes
// of large calls split across worker threads that share one WebAssembly memory.
import type {
  AllocatableConstructor,
  AllocScope,
  CreateLossOptions,
  CreateLovaszLossOptions,
  CreateMetricOptions,
  CreateSurfaceMetricOptions,
  LossAndGrad,
  PoolLoss,
  PoolOptions,
  StreamingMetric,
  StreamingSurfaceMetric,
  Target,
} from '../core/api.js';
import { WasmEngine } from '../backends/wasm/engine.js';
import type {
  CreateInstanceMetricOptions,
  InstanceMetricName,
  StreamingInstanceMetric,
} from '../metrics/instances/types.js';
import { rangeError } from '../core/errors.js';
import { DiceKernel } from '../kernel.js';
import { checkOptionNames, nonNegative } from '../core/options.js';
import { lossOf, methodSpec, noSingleGradient, resolveCreateLoss, scoreSpec } from '../losses/calls.js';
import { checkNoOut, lossValue } from '../losses/elementwise.js';
import type { OverlapSpec } from '../losses/overlap.js';
import { type AnyLossName, LOSS_NAMES, LOSSES, methodName } from '../losses/registry.js';
import {
  coefficientsFromStats,
  planOverlap,
  runValue,
  runValueAndGrad,
  valueFromStats,
  type OverlapCall,
} from '../losses/run.js';
import type { TensorPlan } from '../core/tensors.js';
import { checkStagingBytes, chooseBackend, compileWasm, importsFor, NOT_ISOLATED, type WasmChoice } from '../load.js';
import { sharedMemorySupported } from '../runtime/shared-memory.js';
import { controlBytes, Crew } from './crew.js';
import { ParallelJob } from './job.js';
import { logicalCores } from './spawn.js';

const POOL_OPTION_NAMES = ['threads', 'backend', 'stagingBytes', 'parallelThreshold'];
/**
 * The methods the pool runs on its calling thread, as the kernel does: confusion counts, surface
 * distances and the instance metrics (components, lesions, panoptic quality, objects) are not split
 * (nor are the losses with a code path of their own, such as the Lovász sort: see the registry).
 */
const ONE_THREAD = [
  'confusion',
  'metrics',
  'surfaceMetrics',
  'connectedComponents',
  'lesionMetrics',
  'panopticQuality',
  'objectMetrics',
] as const;

/**
 * Default work below which a call runs on the calling thread. A split call pays for waking the
 * workers and being woken (0.1–0.5 ms a call on the 2-vCPU VM measured, most when it is idle:
 * a halted vCPU is slow to wake), which two threads earned back from about 3 ms of single-thread
 * work (softmax + CE at 64K voxels of 4 classes: 0.9–1.3×; at 16K voxels 0.8–1.0×; bench/pool.bench.ts).
 */
const PARALLEL_THRESHOLD = 1 << 21;

/**
 * Cost per element of pred, roughly in nanoseconds of one thread: passes with an exp per element
 * (softmax, the pointwise terms, sigmoid) are compute-bound and split well; the others only
 * stream memory, which a second core speeds up little until the tensors outgrow the caches.
 */
const COST = { exp: 8, sigmoid: 3, memory: 1 / 8 } as const;

/** A call's work: elements of pred weighted by their cost. */
function work(plan: TensorPlan): number {
  const cost =
    plan.activation === 'softmax' || plan.point !== 'none'
      ? COST.exp
      : plan.activation === 'sigmoid'
        ? COST.sigmoid
        : COST.memory;
  return plan.B * plan.C * plan.S * cost;
}

type Pooled<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
type PooledName = `${AnyLossName}Loss` | `${AnyLossName}LossWithGrad` | 'diceCoefficient' | (typeof ONE_THREAD)[number];
/** The kernel's loss and metric methods, returning Promises. */
export type PooledMethods = { [M in PooledName]: Pooled<DiceKernel[M]> };

type Mask = Uint8Array | Float32Array | null | undefined;
interface CallOptions {
  mask?: Mask;
  out?: Float32Array;
}

/**
 * Creates a pool of `threads` worker threads (default: the logical cores) sharing one WebAssembly
 * memory with the calling thread. Its methods are the kernel's, returning Promises; calls run one
 * after another. A large call's statistics and gradient passes are split across the workers
 * (each sums its share into records of its own, summed in a fixed order: results equal the
 * single-thread ones within float rounding); a small one runs on the calling thread, never
 * slower than a kernel. Arrays from `pool.alloc` are used in place; plain arrays are copied into
 * the shared memory. Call `terminate()` when done.
 *
 * Needs shared memory: Node (worker_threads), or a cross-origin isolated page (COOP/COEP) or its
 * workers; elsewhere it rejects, saying so.
 * @example
 * const pool = await createDicePool({ threads: 2 });
 * const { loss, grad } = await pool.diceCELossWithGrad(logits, labels, { shape: [1, 4, 128, 128, 128] });
 * await pool.terminate();
 */
export async function createDicePool(options?: PoolOptions): Promise<DicePool> {
  const fn = 'createDicePool';
  const opts = checkOptionNames(fn, options, POOL_OPTION_NAMES);
  if (!sharedMemorySupported()) throw new Error(`${fn}: ${NOT_ISOLATED}`);
  const backend = chooseBackend(fn, opts.backend);
  if (backend === 'js')
    throw rangeError(fn, 'backend', "must be 'simd' or 'scalar': the pool runs the WebAssembly kernels");
  const threads = opts.threads === undefined ? await logicalCores() : opts.threads;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw rangeError(fn, 'threads', `must be an integer from 1 to 256; got ${String(threads)}`);
  }
  const threshold = nonNegative(fn, 'parallelThreshold', opts.parallelThreshold, PARALLEL_THRESHOLD);
  const choice: WasmChoice = { flavor: backend, shared: true, stagingBytes: checkStagingBytes(fn, opts.stagingBytes) };
  const module = await compileWasm(choice);
  const engine = new WasmEngine(
    backend,
    await WebAssembly.instantiate(module, importsFor(choice)),
    choice.stagingBytes,
  );
  // The control block lives as long as the pool: an alloc never freed.
  const control = engine.alloc(Uint8Array, controlBytes(threads)).byteOffset;
  return new DicePool(engine, await Crew.start(module, engine.memory, control, threads), threshold);
}

// The constructor installs the pooled methods (one per loss of the registry, and the metrics);
// the class declares them through this interface.
export interface DicePool extends PooledMethods {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor installs the interface's methods
export class DicePool {
  /** The WebAssembly build its threads run. */
  readonly backend: 'simd' | 'scalar';
  /** The shared memory of the pool (a SharedArrayBuffer underneath). */
  readonly memory: WebAssembly.Memory;
  /** Worker threads. */
  readonly threads: number;
  /** The calling thread's kernel, on the same memory: small calls, Lovász losses, metrics, alloc. */
  private readonly local: DiceKernel;
  /** The last call queued: calls run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Calls made and not yet settled. */
  private pending = 0;

  /** @internal use createDicePool() */
  constructor(
    private readonly engine: WasmEngine,
    private readonly crew: Crew,
    private readonly threshold: number,
  ) {
    this.backend = engine.name;
    this.memory = engine.memory;
    this.threads = crew.size;
    this.local = new DiceKernel(engine);
    // The kernel's methods by name, for those the pool runs on its calling thread.
    const local = this.local as unknown as Record<string, (...args: unknown[]) => unknown>;
    const onThisThread =
      (name: string) =>
      (...args: unknown[]) =>
        this.serial(() => local[name](...args));
    const methods: Record<string, unknown> = {
      diceCoefficient: (pred: Float32Array, target: Target, options?: CallOptions) =>
        this.serial(() => {
          const { spec, mask } = scoreSpec(options);
          return this.value(spec, 'score', pred, target, mask);
        }),
    };
    for (const loss of LOSS_NAMES) {
      const entry = LOSSES[loss];
      const value = methodName(loss, false);
      const withGrad = methodName(loss, true);
      if (entry.path === 'own') {
        // Computed by its own code, on the calling thread.
        methods[value] = onThisThread(value);
        methods[withGrad] = onThisThread(withGrad);
        continue;
      }
      methods[value] = (pred: Float32Array, target: Target, options?: CallOptions) =>
        this.serial(() => {
          const { spec, mask, out } = methodSpec(value, entry, options, false);
          // A pointwise loss of reduction 'none' (kernel 3, one value per element) runs on the calling thread.
          if (spec.pointwise?.reduction === 'none') return lossValue(this.engine, spec, pred, target, mask, out);
          checkNoOut(spec, out);
          return this.value(spec, 'loss', pred, target, mask);
        });
      methods[withGrad] = (pred: Float32Array, target: Target, options?: CallOptions) =>
        this.serial(() => {
          const { spec, mask, out } = methodSpec(withGrad, entry, options, true);
          return this.valueAndGrad(spec, pred, target, out, mask);
        });
    }
    for (const name of ONE_THREAD) methods[name] = onThisThread(name);
    Object.assign(this, methods);
  }

  /** As `DiceKernel.createLoss`, with Promise-returning `value` and `valueAndGrad`. */
  createLoss(options: CreateLossOptions | CreateLovaszLossOptions): PoolLoss {
    const resolved = resolveCreateLoss(options);
    // A loss with a code path of its own, or pointwise values of reduction 'none': on the calling thread.
    if (resolved.path === 'own' || resolved.value.pointwise?.reduction === 'none') {
      const loss = lossOf(this.engine, resolved);
      return {
        value: (pred, target, mask) => this.serial(() => loss.value(pred, target, mask)),
        valueAndGrad: (pred, target, out, mask) => this.serial(() => loss.valueAndGrad(pred, target, out, mask)),
      };
    }
    const { value, grad } = resolved;
    return {
      value: (pred, target, mask) => this.serial(() => this.value(value, 'loss', pred, target, mask)),
      valueAndGrad: (pred, target, out, mask) =>
        this.serial(() => {
          if (grad === null) throw noSingleGradient();
          return this.valueAndGrad(grad, pred, target, out, mask);
        }),
    };
  }

  /** As `DiceKernel.createMetric`: its updates count on the calling thread (they return no Promise). */
  createMetric(
    options: CreateInstanceMetricOptions & { metrics: readonly InstanceMetricName[] },
  ): StreamingInstanceMetric;
  createMetric(options: CreateMetricOptions): StreamingMetric;
  createMetric(options: CreateMetricOptions | CreateInstanceMetricOptions): StreamingMetric | StreamingInstanceMetric {
    return this.local.createMetric(options as CreateMetricOptions);
  }

  /** As `DiceKernel.createSurfaceMetric`: its updates measure on the calling thread (they return no Promise). */
  createSurfaceMetric(options: CreateSurfaceMetricOptions): StreamingSurfaceMetric {
    return this.local.createSurfaceMetric(options);
  }

  /**
   * An array in the pool's shared memory, used in place by every call (no copy); it stays valid when the memory grows.
   */
  alloc<C extends AllocatableConstructor>(type: C, length: number): InstanceType<C> {
    return this.local.alloc(type, length);
  }

  /** Returns an array from `alloc`; not while a call that uses it is pending. */
  free(array: ArrayBufferView): void {
    this.local.free(array);
  }

  /** Grows the shared memory now (see `DiceKernel.reserve`). */
  reserve(bytes: number): void {
    this.local.reserve(bytes);
  }

  /** As `DiceKernel.scope`; with an async `fn`, its arrays are freed when its promise settles. */
  scope<T>(fn: (scope: AllocScope) => T): T {
    return this.local.scope(fn);
  }

  /** Ends the workers. A pending call rejects; later calls reject. */
  terminate(): Promise<void> {
    return this.crew.terminate();
  }

  /**
   * Runs `task` after the calls made before it (the workers and the workspace serve one call at a
   * time): at once when none is pending, which spares a small call any wait.
   */
  private serial<T>(task: () => T | Promise<T>): Promise<T> {
    const start = (): T | Promise<T> => {
      this.crew.check();
      return task();
    };
    let run: Promise<T>;
    if (this.pending === 0) {
      let result: T | Promise<T>;
      try {
        result = start();
      } catch (error) {
        return Promise.reject(error);
      }
      // Done already (a call on this thread): nothing to queue behind.
      if (!(result instanceof Promise)) return Promise.resolve(result);
      run = result;
    } else {
      run = this.queue.then(start);
    }
    this.pending++;
    this.queue = run.then(
      () => {
        this.pending--;
      },
      () => {
        this.pending--;
      },
    );
    return run;
  }

  private value(
    spec: OverlapSpec,
    mode: 'loss' | 'score',
    pred: Float32Array,
    target: Target,
    mask: Mask,
  ): number | Float64Array | Promise<number | Float64Array> {
    const call = planOverlap(this.engine, spec, pred, target, mask, undefined, false);
    return this.splits(call) ? this.splitValue(call, mode) : runValue(this.engine, call, mode);
  }

  private valueAndGrad(
    spec: OverlapSpec,
    pred: Float32Array,
    target: Target,
    out: Float32Array | undefined,
    mask: Mask,
  ): LossAndGrad | Promise<LossAndGrad> {
    const call = planOverlap(this.engine, spec, pred, target, mask, out, true);
    return this.splits(call) ? this.splitValueAndGrad(call) : runValueAndGrad(this.engine, call);
  }

  /** Whether a call is split across the workers (else it runs on the calling thread). */
  private splits(call: OverlapCall): boolean {
    return work(call.plan) >= this.threshold;
  }

  private async splitValue(call: OverlapCall, mode: 'loss' | 'score'): Promise<number | Float64Array> {
    const job = new ParallelJob(this.engine, this.crew, call);
    try {
      return valueFromStats(call, mode, await job.stats());
    } finally {
      job.close();
    }
  }

  private async splitValueAndGrad(call: OverlapCall): Promise<LossAndGrad> {
    const job = new ParallelJob(this.engine, this.crew, call);
    try {
      const { loss, coef } = coefficientsFromStats(call, await job.stats());
      return { loss, grad: await job.grad(coef) };
    } finally {
      job.close();
    }
  }
}
