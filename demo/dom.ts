// Small helpers shared by the demo's views.

export const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A status line's text, marked as an error or not. */
export function setStatus(id: string, text: string, error = false): void {
  const status = element(id);
  status.textContent = text;
  status.classList.toggle('error', error);
}

/** A number as the tables show it: 4 decimals, NaN, ∞. */
export function fixed(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '∞';
  return v.toFixed(4);
}

export function formatMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toPrecision(3)} µs` : `${ms.toPrecision(3)} ms`;
}

/** Median milliseconds per call of `run`, in batches long enough for the page's timer resolution. */
export function medianMs(run: () => unknown, budgetMs = 200): number {
  run();
  let calls = 1;
  for (let t0 = performance.now(); performance.now() - t0 < 2; calls *= 2) {
    for (let k = 0; k < calls; k++) run();
  }
  const samples: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (samples.length < 5 || (samples.length < 25 && performance.now() < deadline)) {
    const t0 = performance.now();
    for (let k = 0; k < calls; k++) run();
    samples.push((performance.now() - t0) / calls);
  }
  return samples.sort((a, b) => a - b)[samples.length >> 1];
}
