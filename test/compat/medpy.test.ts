// dice-wasm/compat medpy.metric.binary.* on every backend against MedPy 0.5.2 itself: its
// docstring examples, its unit tests' arrays and seeded random 2D/3D images, every value computed
// by MedPy's own code (test/fixtures/instances/medpy-binary.json, medpy-cases.py, README.md),
// including what it raises. Plus the pooled HD95 beside MONAI's by hand.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { medpy, useKernel } from '../../src/compat/index.js';
import { loadDice, type DiceKernel } from '../../src/index.js';

interface Case {
  name: string;
  result: number[] | number[][] | number[][][];
  reference: number[] | number[][] | number[][][];
  params: { voxelspacing?: number[]; connectivity?: number };
  expected: Record<string, number | null | { raises: string }>;
}
const FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/instances/medpy-binary.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

/**
 * MedPy's code returns these for 0/0 (its `except ZeroDivisionError`), which numpy 2 (the
 * fixture's) turns into NaN instead: the compat layer keeps the values MedPy's code states.
 */
const ZERO_DIVISION: Record<string, number> = { dc: 1, precision: 0, recall: 0, specificity: 0 };

let kernels: DiceKernel[] = [];
beforeAll(async () => {
  kernels = await Promise.all([
    loadDice({ backend: 'simd' }),
    loadDice({ backend: 'scalar' }),
    loadDice({ backend: 'js' }),
  ]);
});
const BACKENDS = ['simd', 'scalar', 'js'] as const;

const b = medpy.metric.binary;
const CALLS: Record<string, (c: Case) => number> = {
  dc: (c) => b.dc(c.result, c.reference),
  jc: (c) => b.jc(c.result, c.reference),
  precision: (c) => b.precision(c.result, c.reference),
  recall: (c) => b.recall(c.result, c.reference),
  specificity: (c) => b.specificity(c.result, c.reference),
  ravd: (c) => b.ravd(c.result, c.reference),
  hd: (c) => b.hd(c.result, c.reference, c.params),
  hd95: (c) => b.hd95(c.result, c.reference, c.params),
  asd: (c) => b.asd(c.result, c.reference, c.params),
  assd: (c) => b.assd(c.result, c.reference, c.params),
  obj_asd: (c) => b.obj_asd(c.result, c.reference, c.params),
  obj_assd: (c) => b.obj_assd(c.result, c.reference, c.params),
  obj_tpr: (c) => b.obj_tpr(c.result, c.reference, c.params.connectivity),
  obj_fpr: (c) => b.obj_fpr(c.result, c.reference, c.params.connectivity),
};

describe.each(BACKENDS)('medpy.metric.binary against MedPy 0.5.2 (%s)', (backend) => {
  beforeAll(() => useKernel(kernels.find((k) => k.backend === backend)!));

  it.each(FIXTURE.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    for (const [fn, expected] of Object.entries(c.expected)) {
      const call = () => CALLS[fn](c);
      if (expected !== null && typeof expected === 'object') {
        expect(call, fn).toThrow(RangeError);
      } else if (expected === null) {
        if (fn in ZERO_DIVISION) expect(call(), fn).toBe(ZERO_DIVISION[fn]);
        else expect(call(), fn).toBeNaN();
      } else {
        // WebAssembly percentiles pass through float32.
        expect(Math.abs(call() - expected), `${fn}: ${call()} vs ${expected}`).toBeLessThanOrEqual(
          1e-6 * Math.max(1, expected),
        );
      }
    }
  });

  it('takes the spacing and connectivity positionally too, and refuses what MedPy cannot take', () => {
    const c = FIXTURE.cases.find((x) => x.name.startsWith('random 3D'))!;
    expect(b.assd(c.result, c.reference, c.params.voxelspacing, c.params.connectivity)).toBeCloseTo(
      c.expected.assd as number,
      6,
    );
    expect(() => b.hd([1, 0], [0, 1], { voxelspacing: [1, 2] })).toThrow(/voxelspacing must be a number or 1 numbers/);
    expect(() => b.hd([1, 0], [0, 1], { connectivity: 0 })).toThrow(/connectivity must be an integer ≥ 1/);
    expect(() => b.hd([1, 0], [0, 1], { spacing: 1 } as never)).toThrow(/option 'spacing'/);
    expect(() => b.dc([1, 0], [0, 1, 0])).toThrow(/reference has shape \[3\]/);
  });
});

describe('HD95: MedPy pools both directions, MONAI takes the larger of the two', () => {
  it('differs where the two directions differ', async () => {
    useKernel(await loadDice());
    // 1D: result {0}, reference {0, 3}. Result → reference: [0]; reference → result: [0, 3].
    // MONAI: max(p95 [0], p95 [0, 3] = 2.85) = 2.85. MedPy: p95 of [0, 0, 3] = 2.7 (rank 1.9).
    const result = [1, 0, 0, 0],
      reference = [1, 0, 0, 1];
    expect(b.hd95(result, reference)).toBeCloseTo(2.7, 6);
    const k = await loadDice();
    const monai = k.surfaceMetrics(Uint8Array.from(result), Uint8Array.from(reference), {
      numClasses: 2,
      shape: [1, 4],
      metrics: ['hausdorff95'],
    });
    expect(monai.hausdorff95[1]).toBeCloseTo(2.85, 6);
  });
});
