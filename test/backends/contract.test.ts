// The TypeScript side and the WebAssembly module agree on codes and record layouts (the module
// exports them), both builds export the same positional kernels, and loading picks SIMD here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/core/constants.js';
import { loadDice, loadDiceSync } from '../../src/index.js';
import { simdSupported, wasmBytes } from '../../src/runtime/binaries.js';

const KERNELS: Record<string, number> = {
  statsDense_f32: 15,
  statsDense_u8: 15,
  statsLabels_u8: 17,
  statsLabels_u16: 17,
  statsLabels_i32: 17,
  gradDense_f32: 15,
  gradDense_u8: 15,
  gradLabels_u8: 17,
  gradLabels_u16: 17,
  gradLabels_i32: 17,
  pointLossDense_f32: 15,
  pointLossDense_u8: 15,
  pointLossLabels_u8: 17,
  pointLossLabels_u16: 17,
  pointLossLabels_i32: 17,
  heapBase: 0,
  tileLength: 1,
  scratchBytes: 1,
  confusionScratchBytes: 0,
  confusionLabels_u8: 8,
  confusionLabels_u16: 8,
  confusionLabels_i32: 8,
  confusionMasks_f32_f32: 10,
  confusionMasks_f32_u8: 10,
  confusionMasks_u8_f32: 10,
  confusionMasks_u8_u8: 10,
  confusionMaskLabels_f32_u8: 12,
  confusionMaskLabels_f32_u16: 12,
  confusionMaskLabels_f32_i32: 12,
  confusionMaskLabels_u8_u8: 12,
  confusionMaskLabels_u8_u16: 12,
  confusionMaskLabels_u8_i32: 12,
  confusionArgmaxLabels_u8: 10,
  confusionArgmaxLabels_u16: 10,
  confusionArgmaxLabels_i32: 10,
  confusionArgmaxMasks_f32: 8,
  confusionArgmaxMasks_u8: 8,
  markLabels_u8: 7,
  markLabels_u16: 7,
  markLabels_i32: 7,
  markValues_u8: 7,
  markValues_f32: 7,
  argmaxLabels_u8: 7,
  argmaxLabels_u16: 7,
  argmaxLabels_i32: 7,
  maskBox: 5,
  surfaceBits: 7,
  distanceWorkBytes: 3,
  distancesToSurface: 15,
};

describe.each(['simd', 'scalar'] as const)('the %s build', (flavor) => {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports;
  const constant = (name: string) => (exports[name] as WebAssembly.Global).value as number;

  it('exports the codes and record slots that src/core/constants.ts uses', () => {
    expect(constant('ACT_NONE')).toBe(abi.ACTIVATION_CODE.none);
    expect(constant('ACT_SIGMOID')).toBe(abi.ACTIVATION_CODE.sigmoid);
    expect(constant('ACT_SOFTMAX')).toBe(abi.ACTIVATION_CODE.softmax);
    expect(constant('LAYOUT_NCHW')).toBe(abi.LAYOUT_CODE.NCHW);
    expect(constant('LAYOUT_NHWC')).toBe(abi.LAYOUT_CODE.NHWC);
    expect(
      ['STAT_I', 'STAT_P', 'STAT_G', 'STAT_N', 'STAT_A', 'STAT_E', 'STAT_E2', 'STATS_STRIDE'].map(constant),
    ).toEqual([abi.STAT_I, abi.STAT_P, abi.STAT_G, abi.STAT_N, abi.STAT_A, abi.STAT_E, abi.STAT_E2, abi.STATS_STRIDE]);
    expect(['COEF_Y1', 'COEF_Y0', 'COEF_Q', 'COEF_S', 'COEF_E', 'COEF_F', 'COEF_STRIDE'].map(constant)).toEqual([
      abi.COEF_Y1,
      abi.COEF_Y0,
      abi.COEF_Q,
      abi.COEF_S,
      abi.COEF_E,
      abi.COEF_F,
      abi.COEF_STRIDE,
    ]);
    expect(['POINT_NONE', 'POINT_BCE', 'POINT_CE', 'POINT_FOCAL'].map(constant)).toEqual([
      abi.POINT_CODE.none,
      abi.POINT_CODE.bce,
      abi.POINT_CODE.ce,
      abi.POINT_CODE.focal,
    ]);
    expect([constant('ROW_SQUARED'), constant('ROW_SOFT'), constant('BLOCK')]).toEqual([
      abi.ROW_SQUARED,
      abi.ROW_SOFT,
      abi.BLOCK,
    ]);
  });

  it('exports the confusion record slots, decision codes and tile length that src/core/constants.ts uses', () => {
    expect([
      constant('CONF_TP'),
      constant('CONF_PRED'),
      constant('CONF_TARGET'),
      constant('CONF_VALID'),
      constant('CONF_STRIDE'),
    ]).toEqual([abi.CONF_TP, abi.CONF_PRED, abi.CONF_TARGET, abi.CONF_VALID, abi.CONF_STRIDE]);
    expect([constant('DECIDE_NONZERO'), constant('DECIDE_THRESHOLD')]).toEqual([
      abi.DECIDE_CODE.nonzero,
      abi.DECIDE_CODE.threshold,
    ]);
    expect(constant('CONF_TILE')).toBe(abi.CONF_TILE);
    // Four tiles of CONF_TILE 4-byte values: i32 argmax labels, narrowed labels, a pred row, a target row.
    expect((exports.confusionScratchBytes as () => number)()).toBe(4 * 4 * abi.CONF_TILE);
  });

  it('exports the mask bits, box slots and distance record slots of the surface kernels that src/core/constants.ts uses', () => {
    expect(['MASK_PRED', 'MASK_TARGET', 'EDGE_PRED', 'EDGE_TARGET'].map(constant)).toEqual([
      abi.MASK_PRED,
      abi.MASK_TARGET,
      abi.EDGE_PRED,
      abi.EDGE_TARGET,
    ]);
    expect(['BOX_X0', 'BOX_X1', 'BOX_Y0', 'BOX_Y1', 'BOX_Z0', 'BOX_Z1', 'BOX_STRIDE'].map(constant)).toEqual([
      abi.BOX_X0,
      abi.BOX_X1,
      abi.BOX_Y0,
      abi.BOX_Y1,
      abi.BOX_Z0,
      abi.BOX_Z1,
      abi.BOX_STRIDE,
    ]);
    expect(['DIST_COUNT', 'DIST_SUM', 'DIST_MAX', 'DIST_WITHIN', 'DIST_STRIDE'].map(constant)).toEqual([
      abi.DIST_COUNT,
      abi.DIST_SUM,
      abi.DIST_MAX,
      abi.DIST_WITHIN,
      abi.DIST_STRIDE,
    ]);
  });

  it('exports every kernel with its positional arity and imports nothing', () => {
    for (const [name, arity] of Object.entries(KERNELS)) {
      expect(typeof exports[name], name).toBe('function');
      expect((exports[name] as (...a: unknown[]) => unknown).length, name).toBe(arity);
    }
    expect(WebAssembly.Module.imports(new WebAssembly.Module(wasmBytes(flavor)))).toEqual([]);
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
