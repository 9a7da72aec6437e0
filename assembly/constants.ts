// Codes and record layouts shared with the TypeScript side (src/api.ts). They are exported as
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
export const STATS_STRIDE: i32 = 4;

/** Gradient coefficients of one (sample, class): ∂L/∂p = a·y + b + q·p (f64 slots). */
export const COEF_A: i32 = 0;
export const COEF_B: i32 = 1;
export const COEF_Q: i32 = 2;
export const COEF_STRIDE: i32 = 3;

/**
 * Elements summed in f32x4 lanes before the partial sums are folded into f64. Small enough
 * that a lane never sums more than BLOCK/8 values (2 accumulators, 4 lanes), which keeps the
 * f32 rounding error of a block near 1e-6 relative and the total near 1e-9 at 16M voxels.
 */
export const BLOCK: i32 = 2048;

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
