// The maximum-weight assignment (src/math/assignment.ts) against brute force over every
// matching of small random matrices (square, wide, tall, with zeros and ties).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxWeightAssignment } from '../../src/math/assignment.js';

/** The largest sum over all matchings of min(rows, cols) pairs, by recursion over the rows. */
function bruteMax(w: number[], rows: number, cols: number): number {
  const used = new Array<boolean>(cols).fill(false);
  const pairs = Math.min(rows, cols);
  const best = (row: number, taken: number): number => {
    if (taken === pairs) return 0;
    if (rows - row < pairs - taken) return Number.NEGATIVE_INFINITY;
    let value = best(row + 1, taken); // this row left out (only when rows > cols)
    if (rows - row - 1 < pairs - taken) value = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      value = Math.max(value, w[row * cols + j] + best(row + 1, taken + 1));
      used[j] = false;
    }
    return value;
  };
  return best(0, 0);
}

describe('maxWeightAssignment', () => {
  it('finds a matching of the largest total weight, each row and column at most once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.constantFrom(0, 0, 0.1, 0.25, 0.3, 0.5, 0.7, 1), { minLength: 25, maxLength: 25 }),
        (rows, cols, pool) => {
          const w = pool.slice(0, rows * cols);
          const match = maxWeightAssignment(w, rows, cols);
          const columns = Array.from(match).filter((j) => j >= 0);
          expect(columns.length).toBe(Math.min(rows, cols));
          expect(new Set(columns).size).toBe(columns.length);
          const total = Array.from(match).reduce((s, j, i) => s + (j >= 0 ? w[i * cols + j] : 0), 0);
          expect(total).toBeCloseTo(bruteMax(w, rows, cols), 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('prefers two middling pairs to one strong pair when their sum is larger', () => {
    // Row 0 is best with column 0 (0.9), but then row 1 (only column 0) is left out: 0.6 + 0.5 wins.
    expect(Array.from(maxWeightAssignment([0.9, 0.6, 0.5, 0], 2, 2))).toEqual([1, 0]);
  });
});
