// Codes and record layouts of the kernels, as assembly/constants.ts defines them: the module
// exports its values, and test/backends/contract.test.ts checks that these agree with them.
import type { Activation, Layout } from './api.js';

// Activations, layouts, the statistics and gradient-coefficient records, the flags of kernel 1.
export const ACTIVATION_CODE: Readonly<Record<Activation, number>> = { none: 0, sigmoid: 1, softmax: 2 };
export const LAYOUT_CODE: Readonly<Record<Layout, number>> = { NCHW: 0, NHWC: 1 };
export const STAT_I = 0;
export const STAT_P = 1;
export const STAT_G = 2;
export const STAT_N = 3;
export const STAT_A = 4;
export const STAT_E = 5;
export const STAT_E2 = 6;
export const STATS_STRIDE = 7;
export const COEF_Y1 = 0;
export const COEF_Y0 = 1;
export const COEF_Q = 2;
export const COEF_S = 3;
export const COEF_E = 4;
export const COEF_F = 5;
export const COEF_STRIDE = 6;
export const ROW_SQUARED = 1;
export const ROW_SOFT = 2;
/** Elements the kernels sum in f32 lanes before folding into f64: pieces of a tensor that start on multiples of it sum as the whole does. */
export const BLOCK = 2048;
/** Pointwise terms of the kernels (assembly/constants.ts POINT_*). */
export const POINT_CODE: Readonly<Record<'none' | 'bce' | 'ce' | 'focal', number>> = {
  none: 0,
  bce: 1,
  ce: 2,
  focal: 3,
};

// The list record of the Lovász kernels.
export const LIST_KEYS = 0;
export const LIST_FOREGROUND = 1;
export const LIST_OTHER = 2;
export const LIST_STRIDE = 3;

// Codes and record layout of the confusion kernel.
export const CONF_TP = 0;
export const CONF_PRED = 1;
export const CONF_TARGET = 2;
export const CONF_VALID = 3;
export const CONF_STRIDE = 4;
export const DECIDE_CODE: Readonly<Record<'nonzero' | 'threshold', number>> = { nonzero: 0, threshold: 1 };
export const CONF_TILE = 4096;

// Mask bits, box and distance record of the surface kernels.
export const MASK_PRED = 1;
export const MASK_TARGET = 2;
export const EDGE_PRED = 4;
export const EDGE_TARGET = 8;
export const SKEL_PRED = 16;
export const SKEL_TARGET = 32;
export const BAND_PRED = 64;
export const BAND_TARGET = 128;
export const BOX_X0 = 0;
export const BOX_X1 = 1;
export const BOX_Y0 = 2;
export const BOX_Y1 = 3;
export const BOX_Z0 = 4;
export const BOX_Z1 = 5;
export const BOX_STRIDE = 6;
export const DIST_COUNT = 0;
export const DIST_SUM = 1;
export const DIST_MAX = 2;
export const DIST_WITHIN = 3;
export const DIST_STRIDE = 4;

// Topology record of a class mask: skeleton counts (clDice), band counts (Boundary IoU).
export const TOPO_SKEL_PRED = 0;
export const TOPO_SKEL_PRED_IN_TARGET = 1;
export const TOPO_SKEL_TARGET = 2;
export const TOPO_SKEL_TARGET_IN_PRED = 3;
export const TOPO_BAND_BOTH = 4;
export const TOPO_BAND_EITHER = 5;
export const TOPO_STRIDE = 6;

// Grid bits of the distance-weighted losses.
export const GRID_INSIDE = 1;
export const GRID_OUTSIDE = 2;
