// Loading: pick the engine, compile each WebAssembly build once (a cached module), and give
// every DiceKernel its own instance and memory.
import type { BackendName, LoadOptions } from '../api.js';
import { JsEngine } from '../backends/js/engine.js';
import { WasmEngine } from '../backends/wasm/engine.js';
import { rangeError } from '../errors.js';
import { DiceKernel } from '../kernel.js';
import { checkOptionNames, oneOf } from '../losses/options.js';
import { simdSupported, wasmBytes, type WasmFlavor } from './binaries.js';

const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];
const compiled: Partial<Record<WasmFlavor, WebAssembly.Module>> = {};
const compiling: Partial<Record<WasmFlavor, Promise<WebAssembly.Module>>> = {};

function chooseBackend(fn: string, options: LoadOptions | undefined): BackendName {
  const opts = checkOptionNames(fn, options, ['backend']);
  const fallback: BackendName = typeof WebAssembly !== 'object' ? 'js' : simdSupported() ? 'simd' : 'scalar';
  const backend = oneOf(fn, 'backend', opts.backend, BACKENDS, fallback);
  if (backend === 'simd' && !simdSupported()) {
    throw rangeError(fn, 'backend', '\'simd\' is not supported by this JavaScript engine (WebAssembly SIMD is missing); use \'scalar\' or \'js\'');
  }
  if (backend !== 'js' && typeof WebAssembly !== 'object') {
    throw rangeError(fn, 'backend', `'${backend}' needs WebAssembly, which this engine lacks; use 'js'`);
  }
  return backend;
}

/**
 * Loads a Dice kernel: the SIMD WebAssembly build where the engine supports it, else the scalar
 * build; `{ backend }` forces one (`'js'` is the pure TypeScript implementation). Each call
 * returns a new instance with its own memory; compiled modules are shared.
 * @example
 * import { loadDice } from 'dice-wasm';
 * const k = await loadDice();
 * k.diceLoss(pred, target); // 0.357 for the README's worked example
 */
export async function loadDice(options?: LoadOptions): Promise<DiceKernel> {
  const backend = chooseBackend('loadDice', options);
  if (backend === 'js') return new DiceKernel(new JsEngine());
  const module = compiled[backend] ?? await (compiling[backend] ??= WebAssembly.compile(wasmBytes(backend)));
  compiled[backend] = module;
  const instance = await WebAssembly.instantiate(module, {});
  return new DiceKernel(new WasmEngine(backend, instance));
}

/**
 * Synchronous loadDice, for Node, worker threads and Web Workers (browsers refuse synchronous
 * compilation of modules over 8 MB on a page's main thread; these are under 100 KB).
 */
export function loadDiceSync(options?: LoadOptions): DiceKernel {
  const backend = chooseBackend('loadDiceSync', options);
  if (backend === 'js') return new DiceKernel(new JsEngine());
  const module = (compiled[backend] ??= new WebAssembly.Module(wasmBytes(backend)));
  return new DiceKernel(new WasmEngine(backend, new WebAssembly.Instance(module, {})));
}

