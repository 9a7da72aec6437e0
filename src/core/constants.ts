// Codes and record layouts of the kernels. Their values come from the compiled module:
// constants.generated.ts is written by the build (scripts/embed-wasm.mjs) from the globals that
// assembly/constants.ts exports, so they are never copied by hand; this file names the codes
// after the TypeScript side's option values. test/backends/contract.test.ts checks both binaries
// against them.
import type { Activation, Layout } from './api.js';
import {
  ACT_NONE,
  ACT_SIGMOID,
  ACT_SOFTMAX,
  DECIDE_NONZERO,
  DECIDE_THRESHOLD,
  LAYOUT_NCHW,
  LAYOUT_NHWC,
  POINT_BCE,
  POINT_CE,
  POINT_FOCAL,
  POINT_NONE,
} from './constants.generated.js';

export * from './constants.generated.js';

/** The `act` argument of the kernels, by activation. */
export const ACTIVATION_CODE: Readonly<Record<Activation, number>> = {
  none: ACT_NONE,
  sigmoid: ACT_SIGMOID,
  softmax: ACT_SOFTMAX,
};
/** The `layout` argument, by layout. */
export const LAYOUT_CODE: Readonly<Record<Layout, number>> = { NCHW: LAYOUT_NCHW, NHWC: LAYOUT_NHWC };
/** The pointwise term of kernels 1 to 3 (their `point` argument). */
export const POINT_CODE: Readonly<Record<'none' | 'bce' | 'ce' | 'focal', number>> = {
  none: POINT_NONE,
  bce: POINT_BCE,
  ce: POINT_CE,
  focal: POINT_FOCAL,
};
/** How the confusion kernels decide that a dense value says "this class" (their `decide` argument). */
export const DECIDE_CODE: Readonly<Record<'nonzero' | 'threshold', number>> = {
  nonzero: DECIDE_NONZERO,
  threshold: DECIDE_THRESHOLD,
};
