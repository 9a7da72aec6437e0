// The two builds of assembly/ as bytes, decoded once, their shared-memory variants, and the SIMD
// probe.
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from './binaries.generated.js';
import { importSharedMemory, type SharedModule } from './shared-memory.js';

export type WasmFlavor = 'simd' | 'scalar';

const decoded: Partial<Record<WasmFlavor, Uint8Array<ArrayBuffer>>> = {};
const sharedVariants: Partial<Record<WasmFlavor, SharedModule>> = {};
let simd: boolean | undefined;

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export function wasmBytes(flavor: WasmFlavor): Uint8Array<ArrayBuffer> {
  decoded[flavor] ??= fromBase64(flavor === 'simd' ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64);
  return decoded[flavor];
}

/** The build with its memory imported and shared (see shared-memory.ts). */
export function sharedWasm(flavor: WasmFlavor): SharedModule {
  sharedVariants[flavor] ??= importSharedMemory(wasmBytes(flavor));
  return sharedVariants[flavor];
}

/** True when this engine validates the SIMD build itself (the most direct probe there is). */
export function simdSupported(): boolean {
  simd ??= typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes('simd'));
  return simd;
}
