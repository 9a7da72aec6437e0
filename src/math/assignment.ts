// A maximum-weight matching of the rows and columns of a weight matrix (each row with at most
// one column and each column with at most one row, min(rows, cols) pairs): the Hungarian
// algorithm with potentials (Kuhn 1955, Munkres 1957; the O(n²·m) shortest augmenting path form),
// the problem scipy.optimize.linear_sum_assignment(−weights) solves.

/**
 * For a rows × cols matrix (row-major), the column assigned to each row (−1 for rows left over
 * when rows > cols) such that the sum of the weights of the pairs is the largest possible.
 */
export function maxWeightAssignment(weights: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const transpose = rows > cols;
  const n = transpose ? cols : rows,
    m = transpose ? rows : cols;
  // Costs of an n × m problem (n ≤ m), 1-based as in the textbook form: minimise −weight.
  const cost = (i: number, j: number): number =>
    -(transpose ? weights[(j - 1) * cols + (i - 1)] : weights[(i - 1) * cols + (j - 1)]);
  const u = new Float64Array(n + 1),
    v = new Float64Array(m + 1);
  const owner = new Int32Array(m + 1); // owner[j]: the row assigned to column j (0: none)
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    owner[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = owner[j0];
      let delta = Number.POSITIVE_INFINITY,
        j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = cost(i0, j) - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[owner[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (owner[j0] !== 0);
    do {
      const j1 = way[j0];
      owner[j0] = owner[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const match = new Int32Array(rows).fill(-1);
  for (let j = 1; j <= m; j++) {
    if (owner[j] === 0) continue;
    if (transpose) match[j - 1] = owner[j] - 1;
    else match[owner[j] - 1] = j - 1;
  }
  return match;
}
