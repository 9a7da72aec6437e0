// Loading: pick the engine and its memory, compile each WebAssembly build once (a cached module),
// and give every DiceKernel its own instance and memory.
import type { BackendName, LoadOptions } from './core/api.js';
import { JsEngine } from './backends/js/engine.js';
import { WasmEngine } from './backends/wasm/engine.js';
import { rangeError } from './core/errors.js';
import { DiceKernel } from './kernel.js';
import { checkOptionNames, flag, oneOf } from './core/options.js';
import { sharedWasm, simdSupported, wasmBytes, type WasmFlavor } from './runtime/binaries.js';
import { createSharedMemory, sharedMemorySupported } from './runtime/shared-memory.js';
import { BACKENDS } from './core/option-values.js';

/**
 * Default staging area: within one core's L2 cache (512 KiB to 1 MiB on current x86 and ARM cores)
 * with the kernels' 64 KiB tiles.
 */
export const DEFAULT_STAGING_BYTES = 256 * 1024;
const LOAD_OPTION_NAMES = ['backend', 'sharedMemory', 'stagingBytes'];

type ModuleKey = WasmFlavor | `${WasmFlavor}-shared`;
const compiled: Partial<Record<ModuleKey, WebAssembly.Module>> = {};
const compiling: Partial<Record<ModuleKey, Promise<WebAssembly.Module>>> = {};

/** A WebAssembly build as the options ask for it. */
export interface WasmChoice {
  flavor: WasmFlavor;
  shared: boolean;
  stagingBytes: number;
}

export function chooseBackend(fn: string, requested: unknown): BackendName {
  const fallback: BackendName = typeof WebAssembly !== 'object' ? 'js' : simdSupported() ? 'simd' : 'scalar';
  const backend = oneOf(fn, 'backend', requested, BACKENDS, fallback);
  if (backend === 'simd' && !simdSupported()) {
    throw rangeError(
      fn,
      'backend',
      "'simd' is not supported by this JavaScript engine (WebAssembly SIMD is missing); use 'scalar' or 'js'",
    );
  }
  if (backend !== 'js' && typeof WebAssembly !== 'object') {
    throw rangeError(fn, 'backend', `'${backend}' needs WebAssembly, which this engine lacks; use 'js'`);
  }
  return backend;
}

/** The message for shared memory where there is none: the page must be cross-origin isolated. */
export const NOT_ISOLATED =
  'needs SharedArrayBuffer, which a page has only when cross-origin isolated: serve it with the headers ' +
  'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (COOP/COEP)';

export function checkStagingBytes(fn: string, value: unknown): number {
  if (value === undefined) return DEFAULT_STAGING_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw rangeError(fn, 'stagingBytes', `must be a positive integer; got ${String(value)}`);
  }
  return value;
}

function chooseLoad(
  fn: string,
  options: LoadOptions | undefined,
): { backend: 'js' } | ({ backend: WasmFlavor } & WasmChoice) {
  const opts = checkOptionNames(fn, options, LOAD_OPTION_NAMES);
  const backend = chooseBackend(fn, opts.backend);
  if (backend === 'js') {
    for (const name of ['sharedMemory', 'stagingBytes'] as const) {
      if (opts[name] !== undefined)
        throw rangeError(fn, name, "applies to the WebAssembly backends; backend 'js' has no WebAssembly memory");
    }
    return { backend };
  }
  const shared = flag(fn, 'sharedMemory', opts.sharedMemory, sharedMemorySupported());
  if (shared && !sharedMemorySupported()) throw rangeError(fn, 'sharedMemory', NOT_ISOLATED);
  return { backend, flavor: backend, shared, stagingBytes: checkStagingBytes(fn, opts.stagingBytes) };
}

function moduleBytes(choice: WasmChoice): Uint8Array<ArrayBuffer> {
  return choice.shared ? sharedWasm(choice.flavor).bytes : wasmBytes(choice.flavor);
}

const keyOf = (choice: WasmChoice): ModuleKey => (choice.shared ? `${choice.flavor}-shared` : choice.flavor);

/** The compiled module of a build, compiled once. */
export async function compileWasm(choice: WasmChoice): Promise<WebAssembly.Module> {
  const key = keyOf(choice);
  const done = compiled[key];
  if (done !== undefined) return done;
  compiling[key] ??= WebAssembly.compile(moduleBytes(choice));
  const module = await compiling[key];
  compiled[key] = module;
  return module;
}

function compileWasmSync(choice: WasmChoice): WebAssembly.Module {
  const key = keyOf(choice);
  compiled[key] ??= new WebAssembly.Module(moduleBytes(choice));
  return compiled[key];
}

/**
 * For a shared memory: a maker of an instance of the same build with a memory of its own, not
 * shared, which the engine streams plain arrays through (see WasmEngine).
 */
function plainInstance(choice: WasmChoice): (() => WebAssembly.Instance) | undefined {
  if (!choice.shared) return undefined;
  return () => new WebAssembly.Instance(compileWasmSync({ ...choice, shared: false }), {});
}

/** What an instance of a build imports: its shared memory, or nothing. */
export function importsFor(choice: WasmChoice): WebAssembly.Imports {
  return choice.shared ? { env: { memory: createSharedMemory(sharedWasm(choice.flavor).initialPages) } } : {};
}

/**
 * Loads a Dice kernel: the SIMD WebAssembly build where the engine supports it, else the scalar
 * build; `{ backend }` forces one (`'js'` is the pure TypeScript implementation). Each call
 * returns a new instance with its own memory, shared where shared memory exists (Node,
 * cross-origin isolated pages), so that arrays from `alloc` never detach; compiled modules are
 * shared.
 * @example
 * import { loadDice } from 'dice-wasm';
 * const k = await loadDice();
 * k.diceLoss(pred, target); // 0.357 for the README's worked example
 */
export async function loadDice(options?: LoadOptions): Promise<DiceKernel> {
  const choice = chooseLoad('loadDice', options);
  if (choice.backend === 'js') return new DiceKernel(new JsEngine());
  const instance = await WebAssembly.instantiate(await compileWasm(choice), importsFor(choice));
  return new DiceKernel(new WasmEngine(choice.flavor, instance, choice.stagingBytes, plainInstance(choice)));
}

/**
 * Synchronous loadDice, for Node, worker threads and Web Workers (browsers refuse synchronous
 * compilation of modules over 8 MB on a page's main thread; these are under 100 KB).
 */
export function loadDiceSync(options?: LoadOptions): DiceKernel {
  const choice = chooseLoad('loadDiceSync', options);
  if (choice.backend === 'js') return new DiceKernel(new JsEngine());
  const instance = new WebAssembly.Instance(compileWasmSync(choice), importsFor(choice));
  return new DiceKernel(new WasmEngine(choice.flavor, instance, choice.stagingBytes, plainInstance(choice)));
}
