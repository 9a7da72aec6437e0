// The TypeScript side and the WebAssembly module agree on codes and record layouts (the module
// exports them), both builds export the same positional kernels, and loading picks SIMD here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/api.js';
import { loadDice, loadDiceSync } from '../src/index.js';
import { simdSupported, wasmBytes } from '../src/runtime/binaries.js';

const KERNELS: Record<string, number> = {
  statsDense_f32: 15, statsDense_u8: 15, statsLabels_u8: 17, statsLabels_u16: 17, statsLabels_i32: 17,
  gradDense_f32: 15, gradDense_u8: 15, gradLabels_u8: 17, gradLabels_u16: 17, gradLabels_i32: 17,
  heapBase: 0, tileLength: 1, scratchBytes: 1,
  confusionScratchBytes: 0, confusionLabels_u8: 8, confusionLabels_u16: 8, confusionLabels_i32: 8,
  confusionMasks_f32_f32: 10, confusionMasks_f32_u8: 10, confusionMasks_u8_f32: 10, confusionMasks_u8_u8: 10,
  confusionMaskLabels_f32_u8: 12, confusionMaskLabels_f32_u16: 12, confusionMaskLabels_f32_i32: 12,
  confusionMaskLabels_u8_u8: 12, confusionMaskLabels_u8_u16: 12, confusionMaskLabels_u8_i32: 12,
  confusionArgmaxLabels_u8: 10, confusionArgmaxLabels_u16: 10, confusionArgmaxLabels_i32: 10,
  confusionArgmaxMasks_f32: 8, confusionArgmaxMasks_u8: 8,
};

describe.each(['simd', 'scalar'] as const)('the %s build', (flavor) => {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports;
  const constant = (name: string) => (exports[name] as WebAssembly.Global).value as number;

  it('exports the codes and record slots that src/api.ts uses', () => {
    expect(constant('ACT_NONE')).toBe(api.ACTIVATION_CODE.none);
    expect(constant('ACT_SIGMOID')).toBe(api.ACTIVATION_CODE.sigmoid);
    expect(constant('ACT_SOFTMAX')).toBe(api.ACTIVATION_CODE.softmax);
    expect(constant('LAYOUT_NCHW')).toBe(api.LAYOUT_CODE.NCHW);
    expect(constant('LAYOUT_NHWC')).toBe(api.LAYOUT_CODE.NHWC);
    expect(['STAT_I', 'STAT_P', 'STAT_G', 'STAT_N', 'STAT_A', 'STAT_E', 'STAT_E2', 'STATS_STRIDE'].map(constant))
      .toEqual([api.STAT_I, api.STAT_P, api.STAT_G, api.STAT_N, api.STAT_A, api.STAT_E, api.STAT_E2, api.STATS_STRIDE]);
    expect(['COEF_Y1', 'COEF_Y0', 'COEF_Q', 'COEF_S', 'COEF_E', 'COEF_F', 'COEF_STRIDE'].map(constant))
      .toEqual([api.COEF_Y1, api.COEF_Y0, api.COEF_Q, api.COEF_S, api.COEF_E, api.COEF_F, api.COEF_STRIDE]);
    expect(['POINT_NONE', 'POINT_BCE', 'POINT_CE', 'POINT_FOCAL'].map(constant))
      .toEqual([api.POINT_CODE.none, api.POINT_CODE.bce, api.POINT_CODE.ce, api.POINT_CODE.focal]);
    expect([constant('ROW_SQUARED'), constant('ROW_SOFT'), constant('BLOCK')]).toEqual([api.ROW_SQUARED, api.ROW_SOFT, api.BLOCK]);
  });

  it('exports the confusion record slots, decision codes and tile length that src/api.ts uses', () => {
    expect([constant('CONF_TP'), constant('CONF_PRED'), constant('CONF_TARGET'), constant('CONF_VALID'), constant('CONF_STRIDE')])
      .toEqual([api.CONF_TP, api.CONF_PRED, api.CONF_TARGET, api.CONF_VALID, api.CONF_STRIDE]);
    expect([constant('DECIDE_NONZERO'), constant('DECIDE_THRESHOLD')]).toEqual([api.DECIDE_CODE.nonzero, api.DECIDE_CODE.threshold]);
    expect(constant('CONF_TILE')).toBe(api.CONF_TILE);
    // Four tiles of CONF_TILE 4-byte values: i32 argmax labels, narrowed labels, a pred row, a target row.
    expect((exports.confusionScratchBytes as () => number)()).toBe(4 * 4 * api.CONF_TILE);
  });

  it('exports every kernel with its positional arity and imports nothing', () => {
    for (const [name, arity] of Object.entries(KERNELS)) {
      expect(typeof exports[name], name).toBe('function');
      expect((exports[name] as (...a: unknown[]) => unknown).length, name).toBe(arity);
    }
    expect(WebAssembly.Module.imports(new WebAssembly.Module(wasmBytes(flavor)))).toEqual([]);
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
    const text = readFileSync(new URL('../build/dice.scalar.wat', import.meta.url), 'utf8');
    expect(text).not.toMatch(/v128|f32x4|i32x4|i8x16|i16x8/);
    expect(readFileSync(new URL('../build/dice.simd.wat', import.meta.url), 'utf8')).toMatch(/f32x4\.add/);
    expect(Buffer.from(wasmBytes('scalar')).equals(readFileSync(new URL('../build/dice.scalar.wasm', import.meta.url)))).toBe(true);
    expect(Buffer.from(wasmBytes('simd')).equals(readFileSync(new URL('../build/dice.simd.wasm', import.meta.url)))).toBe(true);
  });

  it('gives every kernel its own memory', async () => {
    const [a, b] = await Promise.all([loadDice(), loadDice()]);
    expect(a.memory).not.toBe(b.memory);
  });
});
