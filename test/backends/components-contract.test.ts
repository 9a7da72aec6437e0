// The components kernels' exports: both builds export them with their positional arity, and the
// component record slots agree with src/core/constants.ts.
import { describe, expect, it } from 'vitest';
import * as types from '../../src/core/constants.js';
import { wasmBytes } from '../../src/runtime/binaries.js';

const KERNELS: Record<string, number> = {
  componentsWorkBytes: 2,
  countRuns_u8: 4,
  countRuns_u16: 4,
  countRuns_i32: 4,
  countRuns_f32: 4,
  labelComponents_u8: 11,
  labelComponents_u16: 11,
  labelComponents_i32: 11,
  labelComponents_f32: 11,
  dilateMask: 6,
};

describe.each(['simd', 'scalar'] as const)('the %s build', (flavor) => {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(flavor)), {}).exports;
  const constant = (name: string) => (exports[name] as WebAssembly.Global).value as number;

  it('exports the component record slots that src/core/constants.ts uses', () => {
    const names = [
      'COMP_SIZE',
      'COMP_X0',
      'COMP_X1',
      'COMP_Y0',
      'COMP_Y1',
      'COMP_Z0',
      'COMP_Z1',
      'COMP_VALUE',
      'COMP_STRIDE',
    ];
    expect(names.map(constant)).toEqual(names.map((n) => (types as unknown as Record<string, number>)[n]));
  });

  it('exports the components kernels with their positional arity', () => {
    for (const [name, arity] of Object.entries(KERNELS)) {
      expect(typeof exports[name], name).toBe('function');
      expect((exports[name] as (...a: unknown[]) => unknown).length, name).toBe(arity);
    }
  });
});
