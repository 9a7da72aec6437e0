// The benchmark chart (bench/lib/chart.ts): throughput from median times, log axes, one line per
// implementation and case, the machine in the caption.
import { describe, expect, it } from 'vitest';
import { logScale, throughput, throughputChart, type ChartInput } from '../../bench/lib/chart.js';

const result = (medianMs: number) => ({
  medianMs,
  q1Ms: 0,
  q3Ms: 0,
  minMs: 0,
  samples: 1,
  speedupVsJsBackend: 1,
  loss: 0,
  lossRelErrVsJsBackend: 0,
  gradRelErrVsJsBackend: 0,
});

const INPUT: ChartInput = {
  date: '2026-11-27T03:27:33.687Z',
  machine: { cpu: 'Test CPU <x>', cores: 2 },
  engine: { node: 'v20.0.0' },
  implementations: [
    { id: 'jsBackend', label: 'JS backend', description: '' },
    { id: 'wasmZeroCopy', label: 'WASM zero-copy', description: '' },
  ],
  cases: [
    {
      id: 'binary',
      description: '',
      sizes: [
        // 1e3 elements in 1 ms and 1e4 in 1 ms: 1e6 and 1e7 elements/s; WASM 10× faster.
        {
          n: 1000,
          label: '1K',
          shape: [1000],
          wasmZeroCopyVsTfjs: 1,
          results: { jsBackend: result(1), wasmZeroCopy: result(0.1) },
        },
        {
          n: 10000,
          label: '10K',
          shape: [10000],
          wasmZeroCopyVsTfjs: 1,
          results: { jsBackend: result(1), wasmZeroCopy: result(0.1) },
        },
      ],
    },
  ],
};

/** The points of the polyline of `implementation`. */
function points(svg: string, implementation: string): number[][] {
  const line = new RegExp(`<polyline data-implementation="${implementation}"[^>]* points="([^"]+)"`).exec(svg);
  return line![1].split(' ').map((p) => p.split(',').map(Number));
}

describe('benchmark chart', () => {
  it('converts median times to elements per second', () => {
    expect(throughput(1000, 1)).toBe(1e6);
  });

  it('maps decades to equal distances', () => {
    const scale = logScale([2e6, 3e7], 100, 0);
    expect(scale.decades).toEqual([6, 7, 8]);
    expect(scale.at(1e6)).toBeCloseTo(100);
    expect(scale.at(1e7)).toBeCloseTo(50);
  });

  it('draws one line per implementation: a decade apart for 10× the speed, rising with 10× the throughput', () => {
    const svg = throughputChart(INPUT);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const js = points(svg, 'jsBackend'),
      wasm = points(svg, 'wasmZeroCopy');
    expect(js).toHaveLength(2);
    const decade = js[0][1] - wasm[0][1]; // WASM is 10× faster: one decade higher
    expect(decade).toBeGreaterThan(0);
    expect(js[0][1] - js[1][1]).toBeCloseTo(decade); // 10× the elements in the same time: one decade
    expect(js[1][0]).toBeGreaterThan(js[0][0]);
    expect(svg).toContain('Test CPU &lt;x&gt;, 2 cores, Node v20.0.0, 2026-11-27');
    expect(svg).toContain('>WASM zero-copy</text>');
  });
});
