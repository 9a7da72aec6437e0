// Where the engine lacks WebAssembly SIMD, loadDice picks the scalar build and says so when
// SIMD is forced. Node 20 cannot switch SIMD off, so the probe is replaced here.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/runtime/binaries.js', async (original) => ({
  ...(await original<typeof import('../../src/runtime/binaries.js')>()),
  simdSupported: () => false,
}));

const { loadDice, loadDiceSync } = await import('../../src/index.js');

describe('an engine without WebAssembly SIMD', () => {
  it('gets the scalar build by default, and the worked example right', async () => {
    const k = await loadDice();
    expect(k.backend).toBe('scalar');
    expect(loadDiceSync().backend).toBe('scalar');
    const pred = Float32Array.from([
      0.38574776, 0.08795848, 0.83927506, 0.21592768, 0.44453627, 0.10463644, 0.8793516, 0.65118235, 0.5184219,
    ]);
    const target = Float32Array.from([1, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(k.diceLoss(pred, target) as number).toBeCloseTo(0.35692084, 6);
  });

  it('refuses a forced SIMD backend with a message naming the option', async () => {
    await expect(loadDice({ backend: 'simd' })).rejects.toThrow(
      /loadDice: backend 'simd' is not supported by this JavaScript engine/,
    );
    expect(() => loadDiceSync({ backend: 'simd' })).toThrow(RangeError);
  });
});
