// Codes and record layouts shared with the TypeScript side (src/core/constants.ts). They are exported as
// globals so that a test can check that both sides agree instead of trusting a comment.

/** Activation applied to `pred` inside the kernels. */
export const ACT_NONE: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
/** Softmax over the class axis. */
export const ACT_SOFTMAX: i32 = 2;

/** Channels first: element (b, c, s) at `(b*C + c)*S + s`. */
export const LAYOUT_NCHW: i32 = 0;
/** Channels last: element (b, s, c) at `(b*S + s)*C + c`. */
export const LAYOUT_NHWC: i32 = 1;

/** Statistics record of one (sample, class): f64 slots. */
export const STAT_I: i32 = 0; // Σ p·y
export const STAT_P: i32 = 1; // Σ p, or Σ p² when squared
export const STAT_G: i32 = 2; // Σ y, or Σ y² when squared
export const STAT_N: i32 = 3; // number of valid voxels
export const STAT_A: i32 = 4; // Σ |p − y|, only with ROW_SOFT (else left as it was)
export const STAT_E: i32 = 5; // pointwise sum, see POINT_* (only with a pointwise term)
export const STAT_E2: i32 = 6; // second pointwise sum, see POINT_*
export const STATS_STRIDE: i32 = 7;

/**
 * Gradient coefficients of one (sample, class) (f64 slots):
 *   ∂L/∂p = y1·y + y0·(1 − y) + q·p + s·sign(p − y)
 * y1 and y0 are the y-dependent part at y = 1 and at y = 0, computed in f64 by the caller: for a
 * hard target the kernel then returns one of them exactly, however large the terms that cancel
 * in them (a·y + b with a ≈ −b loses every digit in f32).
 */
export const COEF_Y1: i32 = 0;
export const COEF_Y0: i32 = 1;
export const COEF_Q: i32 = 2;
export const COEF_S: i32 = 3;
export const COEF_E: i32 = 4; // pointwise coefficients, see POINT_*
export const COEF_F: i32 = 5;
export const COEF_STRIDE: i32 = 6;

/** Flags of kernel 1 (its `flags` argument). */
export const ROW_SQUARED: i32 = 1; // P = Σ p², G = Σ y²
export const ROW_SOFT: i32 = 2; // also A = Σ |p − y| (dense targets; not with ROW_SQUARED)

/**
 * Elements summed in f32x4 lanes before the partial sums are folded into f64. Small enough
 * that a lane never sums more than BLOCK/8 values (2 accumulators, 4 lanes), which keeps the
 * f32 rounding error of a block near 1e-6 relative and the total near 1e-9 at 16M voxels.
 */
export const BLOCK: i32 = 2048;

/**
 * Pointwise term of kernels 1 and 2 (their `point` argument), from logits x, with y the target
 * and bce = softplus(−x) + (1 − y)·x (binary cross-entropy with logits):
 * - POINT_BCE (activation sigmoid): E = Σ bce, E2 = Σ y·softplus(−x);
 *   kernel 2 adds e·(σ(x) − y) + f·y·(σ(x) − 1).
 * - POINT_CE (activation softmax): E = Σ −y·log p, E2 = Σ −log p;
 *   kernel 2 subtracts e·y + f from u_c = p_c·∂L/∂p_c before the softmax Jacobian.
 * - POINT_FOCAL with sigmoid: with z = x·(2y − 1) and m = σ(−z)^γ, E = Σ m·bce, E2 = Σ y·m·bce;
 *   kernel 2 adds (e + f·y)·D, D = m·((σ(x) − y) − γ·σ(z)·(2y − 1)·bce).
 * - POINT_FOCAL with softmax: E = Σ −(1 − p)^γ·y·log p, E2 not written;
 *   kernel 2 subtracts e·y·((1 − p)^γ − γ·p·(1 − p)^(γ−1)·log p) from u_c.
 * Class weights, pos weights, alpha, label smoothing and normalisation live in e, f (TypeScript).
 */
export const POINT_NONE: i32 = 0;
export const POINT_BCE: i32 = 1;
export const POINT_CE: i32 = 2;
export const POINT_FOCAL: i32 = 3;

/** Counts record of the Lovász error lists (u32 slots), see lovasz.ts. */
export const LIST_KEYS: i32 = 0; // pairs listed so far: the next one goes there
export const LIST_FOREGROUND: i32 = 1; // listed voxels of the foreground
export const LIST_OTHER: i32 = 2; // listed voxels whose target is none of the values expected
export const LIST_STRIDE: i32 = 3;

/**
 * Confusion record of one (sample, class): f64 slots holding exact integer counts over the
 * voxels counted (those whose target label is not ignoreIndex). FP, FN and TN follow:
 * FP = PRED − TP, FN = TARGET − TP, TN = VALID − PRED − TARGET + TP.
 */
export const CONF_TP: i32 = 0; // prediction and target both say c
export const CONF_PRED: i32 = 1; // prediction says c
export const CONF_TARGET: i32 = 2; // target says c
export const CONF_VALID: i32 = 3; // voxels counted
export const CONF_STRIDE: i32 = 4;

/** How a dense prediction value says "this class": non-zero, or greater than a threshold. */
export const DECIDE_NONZERO: i32 = 0;
export const DECIDE_THRESHOLD: i32 = 1;

/** Voxels per tile of the confusion paths that work on tiles (argmax, channels-last dense input). */
export const CONF_TILE: i32 = 4096;

/**
 * Bits of a class-mask byte (boundary.ts, edt.ts): the prediction says the class, the target
 * says it, and (surfaceBits) the voxel is on the prediction's / the target's surface.
 */
export const MASK_PRED: i32 = 1;
export const MASK_TARGET: i32 = 2;
export const EDGE_PRED: i32 = 4;
export const EDGE_TARGET: i32 = 8;
/** The voxel is on the skeleton of the prediction's / the target's mask (skeleton.ts). */
export const SKEL_PRED: i32 = 16;
export const SKEL_TARGET: i32 = 32;
/** The voxel is in the boundary band of the prediction's / the target's mask (band.ts). */
export const BAND_PRED: i32 = 64;
export const BAND_TARGET: i32 = 128;

/** Box of a class mask (i32 slots): half-open ranges [X0, X1) × [Y0, Y1) × [Z0, Z1), x fastest. */
export const BOX_X0: i32 = 0;
export const BOX_X1: i32 = 1;
export const BOX_Y0: i32 = 2;
export const BOX_Y1: i32 = 3;
export const BOX_Z0: i32 = 4;
export const BOX_Z1: i32 = 5;
export const BOX_STRIDE: i32 = 6;

/**
 * Distance record of one surface towards another (f64 slots): its voxels, and over them the
 * sum and the largest of their distances to the other surface, and how many of those are
 * within the tolerance.
 */
export const DIST_COUNT: i32 = 0; // surface voxels (surfaceBits)
export const DIST_SUM: i32 = 1; // Σ distance (distancesToSurface, and the three below)
export const DIST_MAX: i32 = 2;
export const DIST_WITHIN: i32 = 3; // distances ≤ tolerance
export const DIST_STRIDE: i32 = 4;

/**
 * Topology record of one class mask (f64 slots, exact counts), written by maskCounts: skeleton
 * voxels of each side and those inside the other side's mask (clDice), and boundary-band voxels
 * in both bands and in either (Boundary IoU).
 */
export const TOPO_SKEL_PRED: i32 = 0; // |S(P)|
export const TOPO_SKEL_PRED_IN_TARGET: i32 = 1; // |S(P) ∩ G|
export const TOPO_SKEL_TARGET: i32 = 2; // |S(G)|
export const TOPO_SKEL_TARGET_IN_PRED: i32 = 3; // |S(G) ∩ P|
export const TOPO_BAND_BOTH: i32 = 4; // |B(P) ∩ B(G)|
export const TOPO_BAND_EITHER: i32 = 5; // |B(P) ∪ B(G)|
export const TOPO_STRIDE: i32 = 6;

/** Grid bits of the distance-weighted losses (distloss.ts): the voxel is in the mask v > ½, or not. */
export const GRID_INSIDE: i32 = 1;
export const GRID_OUTSIDE: i32 = 2;

/**
 * Record of one connected component (i32 slots, components.ts): its voxels, its half-open box
 * [X0, X1) × [Y0, Y1) × [Z0, Z1) (x fastest) and the value of its voxels (a class; 1 for a mask).
 */
export const COMP_SIZE: i32 = 0;
export const COMP_X0: i32 = 1;
export const COMP_X1: i32 = 2;
export const COMP_Y0: i32 = 3;
export const COMP_Y1: i32 = 4;
export const COMP_Z0: i32 = 5;
export const COMP_Z1: i32 = 6;
export const COMP_VALUE: i32 = 7;
export const COMP_STRIDE: i32 = 8;
