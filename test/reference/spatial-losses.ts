// Independent float64 references of the losses on whole class volumes, written from their
// definitions (MONAI's soft_skel, SoftclDiceLoss, soft_dice, HausdorffDTLoss; Kervadec's
// one_hot2dist and SurfaceLoss) rather than from src/: pooling windows with −∞ padding as
// torch.nn.functional.max_pool does them, distance maps by comparing every pair of voxels.

/** A row-major image of `dims` (spatial axes in the order of shape). */
interface Image {
  data: Float64Array;
  dims: number[];
}

function coords(i: number, dims: readonly number[]): number[] {
  const at = new Array<number>(dims.length);
  for (let a = dims.length - 1; a >= 0; a--) {
    at[a] = i % dims[a];
    i = Math.floor(i / dims[a]);
  }
  return at;
}

const index = (at: readonly number[], dims: readonly number[]): number => at.reduce((i, v, a) => i * dims[a] + v, 0);

/** max_pool with window `kernel[a]` (odd) centred on each voxel, padding −∞ (never chosen). */
function maxPool(img: Image, kernel: readonly number[]): Image {
  const { data, dims } = img;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const at = coords(i, dims);
    let best = Number.NEGATIVE_INFINITY;
    const visit = (axis: number, q: number[]): void => {
      if (axis === dims.length) {
        best = Math.max(best, data[index(q, dims)]);
        return;
      }
      const r = (kernel[axis] - 1) / 2;
      for (let d = -r; d <= r; d++) {
        const v = at[axis] + d;
        if (v >= 0 && v < dims[axis]) visit(axis + 1, [...q, v]);
      }
    };
    visit(0, []);
    out[i] = best;
  }
  return { data: out, dims };
}

const negate = (img: Image): Image => ({ data: img.data.map((v) => -v), dims: img.dims });

/** MONAI's soft_erode: −max_pool(−img) along each axis alone, the minimum of those. */
export function softErode(img: Image): Image {
  const pools = img.dims.map((_, axis) =>
    negate(
      maxPool(
        negate(img),
        img.dims.map((__, a) => (a === axis ? 3 : 1)),
      ),
    ),
  );
  return { data: pools[0].data.map((_, i) => Math.min(...pools.map((p) => p.data[i]))), dims: img.dims };
}

/** MONAI's soft_dilate: max_pool over the 3×…×3 box. */
export function softDilate(img: Image): Image {
  return maxPool(
    img,
    img.dims.map(() => 3),
  );
}

/** MONAI's soft_skel. */
export function softSkel(img: Image, iterations: number): Float64Array {
  const open = (x: Image) => softDilate(softErode(x));
  const relu = (v: number) => Math.max(v, 0);
  let x = img;
  const skel = x.data.map((v, i) => relu(v - open(x).data[i]));
  for (let k = 0; k < iterations; k++) {
    x = softErode(x);
    const opened = open(x);
    for (let i = 0; i < skel.length; i++) {
      const delta = relu(x.data[i] - opened.data[i]);
      skel[i] += relu(delta - skel[i] * delta);
    }
  }
  return skel;
}

/** A (B, C, ...spatial) tensor, channels first, as float64. */
export interface Volumes {
  data: Float64Array;
  shape: number[];
}

export function activate(x: Volumes, activation: 'none' | 'sigmoid' | 'softmax'): Volumes {
  const [B, C] = x.shape;
  const S = x.data.length / (B * C);
  const p = new Float64Array(x.data.length);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const at = (c: number) => (b * C + c) * S + s;
      if (activation === 'softmax') {
        const max = Math.max(...Array.from({ length: C }, (_, c) => x.data[at(c)]));
        const e = Array.from({ length: C }, (_, c) => Math.exp(x.data[at(c)] - max));
        const z = e.reduce((a, v) => a + v, 0);
        for (let c = 0; c < C; c++) p[at(c)] = e[c] / z;
      } else {
        for (let c = 0; c < C; c++)
          p[at(c)] = activation === 'sigmoid' ? 1 / (1 + Math.exp(-x.data[at(c)])) : x.data[at(c)];
      }
    }
  }
  return { data: p, shape: x.shape };
}

export interface TermOptions {
  includeBackground: boolean;
  batch: boolean;
  /** clDice only. */
  poolClasses?: boolean;
  reduction: 'mean' | 'sum';
}

/** Groups of (b, c): the sums of each, reduced by `value`. */
function grouped(
  p: Volumes,
  y: Volumes,
  o: TermOptions,
  sumsOf: (pv: Image, yv: Image) => number[],
  value: (sums: number[]) => number,
): number {
  const [B, C, ...dims] = p.shape;
  const S = dims.reduce((a, d) => a * d, 1);
  const groups = new Map<string, number[]>();
  for (let b = 0; b < B; b++) {
    for (let c = o.includeBackground ? 0 : 1; c < C; c++) {
      const slice = (v: Volumes): Image => ({ data: v.data.slice((b * C + c) * S, (b * C + c + 1) * S), dims });
      const sums = sumsOf(slice(p), slice(y));
      const key = `${o.batch ? 0 : b}:${o.poolClasses ? 0 : c}`;
      const total = groups.get(key);
      groups.set(key, total ? total.map((t, j) => t + sums[j]) : sums);
    }
  }
  const values = [...groups.values()].map(value);
  const sum = values.reduce((a, v) => a + v, 0);
  return o.reduction === 'sum' ? sum : sum / values.length;
}

/** SoftclDiceLoss / SoftDiceclDiceLoss (with `alpha`) of probabilities p against y. */
export function referenceClDice(
  p: Volumes,
  y: Volumes,
  o: TermOptions & { smooth: number; iterations: number; alpha?: number },
): number {
  const sumsOf = (pv: Image, yv: Image): number[] => {
    const sp = softSkel(pv, o.iterations),
      sy = softSkel(yv, o.iterations);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
    const total = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
    return [
      dot(sp, yv.data),
      total(sp),
      dot(sy, pv.data),
      total(sy),
      dot(pv.data, yv.data),
      total(pv.data),
      total(yv.data),
    ];
  };
  return grouped(p, y, o, sumsOf, ([A, Bs, Cs, D, I, P, G]) => {
    const s = o.smooth;
    const tprec = (A + s) / (Bs + s),
      tsens = (Cs + s) / (D + s);
    const cl = 1 - (2 * tprec * tsens) / (tprec + tsens);
    if (o.alpha === undefined) return cl;
    const dice = 1 - (2 * I + s) / (P + G + s);
    return (1 - o.alpha) * dice + o.alpha * cl;
  });
}

/**
 * For each voxel, the distance (axes scaled by `spacing`) to the nearest voxel where
 * `from[j] !== inside`; no such voxel: NaN.
 */
function bruteDistances(inside: boolean[], dims: readonly number[], spacing: readonly number[]): number[] {
  return inside.map((side, i) => {
    const p = coords(i, dims);
    let best = Number.NaN;
    inside.forEach((other, j) => {
      if (other === side) return;
      const q = coords(j, dims);
      const d = Math.hypot(...p.map((v, a) => (v - q[a]) * spacing[a]));
      if (!(d >= best)) best = d;
    });
    return best;
  });
}

/** HausdorffDTLoss of probabilities p against y (MONAI's distance_field: 0 for an empty or full mask). */
export function referenceHausdorff(
  p: Volumes,
  y: Volumes,
  o: TermOptions & { alpha: number; spacing: readonly number[]; logLoss?: boolean },
): number {
  const field = (v: Image): number[] => {
    const inside = Array.from(v.data, (x) => x > 0.5);
    if (inside.every((x) => x) || inside.every((x) => !x)) return inside.map(() => 0);
    return bruteDistances(inside, v.dims, o.spacing);
  };
  const loss = grouped(
    p,
    y,
    o,
    (pv, yv) => {
      const dp = field(pv),
        dy = field(yv);
      let sum = 0;
      for (let i = 0; i < pv.data.length; i++)
        sum += (pv.data[i] - yv.data[i]) ** 2 * (dp[i] ** o.alpha + dy[i] ** o.alpha);
      return [sum, pv.data.length];
    },
    ([sum, n]) => sum / n,
  );
  return o.logLoss ? Math.log(loss + 1) : loss;
}

/** Kervadec's boundary loss of probabilities p against the target y (one_hot2dist, SurfaceLoss). */
export function referenceBoundary(p: Volumes, y: Volumes, o: TermOptions & { spacing: readonly number[] }): number {
  return grouped(
    p,
    y,
    o,
    (pv, yv) => {
      const inside = Array.from(yv.data, (x) => x > 0.5);
      const full = inside.every((x) => x) || inside.every((x) => !x);
      const d = full ? [] : bruteDistances(inside, yv.dims, o.spacing);
      let sum = 0;
      for (let i = 0; i < pv.data.length; i++) {
        const phi = full ? 0 : inside[i] ? -(d[i] - 1) : d[i];
        sum += pv.data[i] * phi;
      }
      return [sum, pv.data.length];
    },
    ([sum, n]) => sum / n,
  );
}
