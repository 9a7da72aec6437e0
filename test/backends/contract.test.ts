// The TypeScript side and the WebAssembly module agree: the build generates the constants
// (src/core/constants.generated.ts) and the export table (src/backends/wasm/exports.generated.ts)
// from assembly/, and both binaries must match them exactly — every global with its value, every
// function with its arity, nothing more. The generated modules must come from the sources in the
// tree (a stale build fails here). And loading picks SIMD here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES } from '../../src/backends/wasm/calls.js';
import { EXPORT_ARITY } from '../../src/backends/wasm/exports.generated.js';
import * as abi from '../../src/core/constants.js';
import * as generatedConstants from '../../src/core/constants.generated.js';
import { loadDice, loadDiceSync } from '../../src/index.js';
import { simdSupported, wasmBytes } from '../../src/runtime/binaries.js';
import { staleWasm } from '../support/fresh-build.js';

describe.each(['simd', 'scalar'] as const)('the %s build', (flavor) => {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports;
  const constant = (name: string) => (exports[name] as WebAssembly.Global).value as number;

  it('exports as globals exactly the constants of src/core/constants.generated.ts, with their values', () => {
    const globals = Object.entries(exports).filter(([, value]) => value instanceof WebAssembly.Global);
    expect(Object.fromEntries(globals.map(([name]) => [name, constant(name)]))).toEqual({ ...generatedConstants });
  });

  it('names the codes of src/core/constants.ts after the globals that hold them', () => {
    expect(abi.ACTIVATION_CODE).toEqual({
      none: constant('ACT_NONE'),
      sigmoid: constant('ACT_SIGMOID'),
      softmax: constant('ACT_SOFTMAX'),
    });
    expect(abi.LAYOUT_CODE).toEqual({ NCHW: constant('LAYOUT_NCHW'), NHWC: constant('LAYOUT_NHWC') });
    expect(abi.POINT_CODE).toEqual({
      none: constant('POINT_NONE'),
      bce: constant('POINT_BCE'),
      ce: constant('POINT_CE'),
      focal: constant('POINT_FOCAL'),
    });
    expect(abi.DECIDE_CODE).toEqual({
      nonzero: constant('DECIDE_NONZERO'),
      threshold: constant('DECIDE_THRESHOLD'),
    });
    // Distinct codes and slots within each group.
    for (const group of [
      ['STAT_I', 'STAT_P', 'STAT_G', 'STAT_N', 'STAT_A', 'STAT_E', 'STAT_E2'],
      ['COEF_Y1', 'COEF_Y0', 'COEF_Q', 'COEF_S', 'COEF_E', 'COEF_F'],
      ['CONF_TP', 'CONF_PRED', 'CONF_TARGET', 'CONF_VALID'],
      ['MASK_PRED', 'MASK_TARGET', 'EDGE_PRED', 'EDGE_TARGET'],
      ['COMP_SIZE', 'COMP_X0', 'COMP_X1', 'COMP_Y0', 'COMP_Y1', 'COMP_Z0', 'COMP_Z1', 'COMP_VALUE'],
    ]) {
      expect(new Set(group.map(constant)).size, group.join(' ')).toBe(group.length);
    }
    // A component record's slots lie within its stride (assembly/components.ts writes COMP_STRIDE i32 each).
    for (const slot of ['COMP_SIZE', 'COMP_X0', 'COMP_X1', 'COMP_Y0', 'COMP_Y1', 'COMP_Z0', 'COMP_Z1', 'COMP_VALUE'])
      expect(constant(slot), slot).toBeLessThan(constant('COMP_STRIDE'));
  });

  it('has the confusion scratch area its kernels are given, for few classes and for many', () => {
    // Four tiles of CONF_TILE 4-byte values: i32 argmax labels, narrowed labels, a pred row, a target row;
    // for many classes, the first two, four sets of label histograms of C + 2 bins (three u32 each:
    // TP, other predictions, targets) and two u16 offsets for each of 256 voxels.
    const scratchBytes = exports.confusionScratchBytes as (C: number) => number;
    expect(scratchBytes(4)).toBe(4 * 4 * abi.CONF_TILE);
    expect(scratchBytes(65536)).toBe(2 * 4 * abi.CONF_TILE + 4 * (65536 + 2) * 12 + 256 * 4);
  });

  it('exports exactly the functions of exports.generated.ts, with their arities, and imports nothing', () => {
    const functions = Object.entries(exports).filter(([, value]) => typeof value === 'function');
    expect(Object.fromEntries(functions.map(([name, f]) => [name, (f as () => unknown).length]))).toEqual(EXPORT_ARITY);
    expect(exports.memory).toBeInstanceOf(WebAssembly.Memory);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(wasmBytes(flavor)))).toEqual([]);
  });

  it('exports the kernels 1 to 3 that the calls name (src/backends/wasm/calls.ts)', () => {
    expect(KERNEL_NAMES).toHaveLength(15);
    for (const name of KERNEL_NAMES) expect(typeof exports[name], name).toBe('function');
  });

  it('kernel 3 writes one value per element (per voxel for cross-entropy) and nothing around them', () => {
    const memory = exports.memory as WebAssembly.Memory;
    const B = 2,
      C = 3,
      S = 37,
      n = B * C * S;
    const cases = [
      { act: abi.ACTIVATION_CODE.sigmoid, layout: abi.LAYOUT_CODE.NCHW, point: abi.POINT_CODE.bce, length: n },
      { act: abi.ACTIVATION_CODE.softmax, layout: abi.LAYOUT_CODE.NHWC, point: abi.POINT_CODE.focal, length: n },
      { act: abi.ACTIVATION_CODE.softmax, layout: abi.LAYOUT_CODE.NHWC, point: abi.POINT_CODE.ce, length: B * S },
    ];
    for (const { act, layout, point, length } of cases) {
      // pred, target, coef, scratch, then out between two guard values, above the module's data.
      const pred = Math.ceil((exports.heapBase as () => number)() / 64) * 64;
      const target = pred + 4 * n,
        coef = target + 4 * n,
        scratch = coef + 8 * B * C * abi.COEF_STRIDE;
      const out = scratch + (exports.scratchBytes as (c: number) => number)(C) + 4;
      if (memory.buffer.byteLength < out + 4 * length + 4)
        memory.grow(Math.ceil((out + 4 * length + 4 - memory.buffer.byteLength) / 65536));
      const f32 = new Float32Array(memory.buffer);
      for (let i = 0; i < n; i++) {
        f32[pred / 4 + i] = Math.sin(i);
        f32[target / 4 + i] = i % 2;
      }
      new Float64Array(memory.buffer, coef, B * C * abi.COEF_STRIDE).fill(1);
      f32.fill(-3, out / 4 - 1, out / 4 + length + 1);
      (exports.pointLossDense_f32 as (...a: number[]) => void)(
        out,
        pred,
        target,
        0,
        0,
        coef,
        B,
        C,
        S,
        S,
        layout,
        act,
        point,
        2,
        scratch,
      );
      expect([f32[out / 4 - 1], f32[out / 4 + length]]).toEqual([-3, -3]);
      expect(f32.subarray(out / 4, out / 4 + length).every((v) => v >= 0 && v !== -3)).toBe(true);
    }
  });

  it('sizes tiles so that C rows stay within 64 KiB, in multiples of 16 voxels', () => {
    const tileLength = exports.tileLength as (C: number) => number;
    for (const C of [1, 2, 3, 4, 16, 100, 1000, 5000]) {
      const t = tileLength(C);
      expect(t % 16).toBe(0);
      expect(t).toBeGreaterThanOrEqual(16);
      expect(t <= 1024 && (t === 16 || C * t * 4 <= 65536)).toBe(true);
    }
  });
});

describe('the generated modules', () => {
  it('were built from the assembly/ sources of this tree', () => {
    expect(staleWasm()).toBeNull();
  });
});

describe('loading', () => {
  it('finds SIMD in Node 20 and picks it by default, synchronously too', async () => {
    expect(simdSupported()).toBe(true);
    expect((await loadDice()).backend).toBe('simd');
    expect(loadDiceSync().backend).toBe('simd');
    expect(loadDiceSync({ backend: 'scalar' }).backend).toBe('scalar');
    expect(loadDiceSync({ backend: 'js' }).backend).toBe('js');
  });

  it('the scalar build has no SIMD instruction, and the embedded bytes are that build', () => {
    // The text format is written by the same asc run as the binary (asconfig.json).
    const text = readFileSync(new URL('../../build/dice.scalar.wat', import.meta.url), 'utf8');
    expect(text).not.toMatch(/v128|f32x4|i32x4|i8x16|i16x8/);
    expect(readFileSync(new URL('../../build/dice.simd.wat', import.meta.url), 'utf8')).toMatch(/f32x4\.add/);
    expect(
      Buffer.from(wasmBytes('scalar')).equals(readFileSync(new URL('../../build/dice.scalar.wasm', import.meta.url))),
    ).toBe(true);
    expect(
      Buffer.from(wasmBytes('simd')).equals(readFileSync(new URL('../../build/dice.simd.wasm', import.meta.url))),
    ).toBe(true);
  });

  it('gives every kernel its own memory', async () => {
    const [a, b] = await Promise.all([loadDice(), loadDice()]);
    expect(a.memory).not.toBe(b.memory);
  });
});
