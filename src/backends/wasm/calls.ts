// The calls of kernel 1 (statistics), kernel 2 (gradient) and kernel 3 (pointwise losses) for one
// piece of a call's tensors, as an export name and its positional arguments: the engine makes them
// on its own instance, the pool hands them to its workers (which index the names by their place
// in KERNEL_NAMES).
import {
  ACTIVATION_CODE,
  COEF_Q,
  COEF_S,
  COEF_STRIDE,
  LAYOUT_CODE,
  POINT_CODE,
  ROW_SOFT,
  ROW_SQUARED,
} from '../../core/constants.js';
import type { TensorPlan } from '../../core/tensors.js';
import { type DiceExports, GRAD_EXPORTS, POINTLOSS_EXPORTS, STATS_EXPORTS } from './exports.generated.js';

/**
 * Kernels 1 to 3, the exports of assembly/stats.ts, grad.ts and pointloss.ts (as the build lists
 * them in exports.generated.ts): a call names one of them, and the pool's workers index them by
 * their place here.
 */
export const KERNEL_NAMES = [...STATS_EXPORTS, ...GRAD_EXPORTS, ...POINTLOSS_EXPORTS] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/**
 * A kernel and its arguments, as many as its declaration in exports.generated.ts has (so tsc
 * checks every call built here against the module); the last is always the scratch area (the
 * pool's workers put their own there).
 */
export type KernelCall = { [K in KernelName]: { kernel: K; args: Parameters<DiceExports[K]> } }[KernelName];

/**
 * Where one piece of a call is in memory: `samples` samples of which the kernels read `count`
 * voxels each, with sample (and, channels first, class row) starts `S` voxels apart. The
 * addresses point at the piece's first voxel; `records` at its first sample's statistics
 * (kernel 1) or coefficients (kernel 2); `out` is kernel 2's.
 */
export interface Piece {
  pred: number;
  target: number;
  mask: number;
  records: number;
  out: number;
  scratch: number;
  samples: number;
  S: number;
  count: number;
}

/**
 * Kernel 1. `activated`: kernel 1 may leave the activation in the piece's `out` for kernel 2
 * (assembly/stats.ts), which must then be called with `activated` too, on the same `out`.
 */
export function statsCall(plan: TensorPlan, p: Piece, activated = false): KernelCall {
  const head = [
    p.records,
    p.pred,
    p.target,
    p.mask,
    maskStride(plan, p),
    p.samples,
    plan.C,
    p.S,
    p.count,
    LAYOUT_CODE[plan.layout],
    ACTIVATION_CODE[plan.activation],
  ] as const;
  const flags = (plan.squared ? ROW_SQUARED : 0) | (plan.soft ? ROW_SOFT : 0);
  const keep = activated ? p.out : 0;
  if (plan.targetKind === 'dense') {
    return {
      kernel: plan.targetType === 'f32' ? 'statsDense_f32' : 'statsDense_u8',
      args: [...head, flags, POINT_CODE[plan.point], plan.gamma, keep, p.scratch],
    };
  }
  return {
    kernel: `statsLabels_${plan.targetType as 'u8' | 'u16' | 'i32'}`,
    args: [...head, flags, ...ignoreArgs(plan), POINT_CODE[plan.point], plan.gamma, keep, p.scratch],
  };
}

/** Kernel 2; `activated` as kernel 1 was called. */
export function gradCall(plan: TensorPlan, p: Piece, activated = false): KernelCall {
  const head = mapHead(plan, p);
  const keep = activated ? 1 : 0;
  if (plan.targetKind === 'dense') {
    return {
      kernel: plan.targetType === 'f32' ? 'gradDense_f32' : 'gradDense_u8',
      args: [...head, POINT_CODE[plan.point], plan.gamma, keep, p.scratch],
    };
  }
  return {
    kernel: `gradLabels_${plan.targetType as 'u8' | 'u16' | 'i32'}`,
    args: [...head, ...ignoreArgs(plan), POINT_CODE[plan.point], plan.gamma, keep, p.scratch],
  };
}

/** Kernel 3 (the pointwise losses of reduction 'none'): the arguments of kernel 2, but `activated`. */
export function pointLossCall(plan: TensorPlan, p: Piece): KernelCall {
  const head = mapHead(plan, p);
  if (plan.targetKind === 'dense') {
    return {
      kernel: plan.targetType === 'f32' ? 'pointLossDense_f32' : 'pointLossDense_u8',
      args: [...head, POINT_CODE[plan.point], plan.gamma, p.scratch],
    };
  }
  return {
    kernel: `pointLossLabels_${plan.targetType as 'u8' | 'u16' | 'i32'}`,
    args: [...head, ...ignoreArgs(plan), POINT_CODE[plan.point], plan.gamma, p.scratch],
  };
}

/** The arguments that kernels 2 and 3 begin with. */
function mapHead(plan: TensorPlan, p: Piece) {
  return [
    p.out,
    p.pred,
    p.target,
    p.mask,
    maskStride(plan, p),
    p.records,
    p.samples,
    plan.C,
    p.S,
    p.count,
    LAYOUT_CODE[plan.layout],
    ACTIVATION_CODE[plan.activation],
  ] as const;
}

type Kernel = (...args: number[]) => void;

/**
 * Makes a call on an instance. The arguments are passed one by one (an 18-argument list; a kernel
 * ignores those beyond its own): V8 calls a WebAssembly export about twice as fast that way as
 * through a spread array.
 */
export function invoke(kernels: DiceExports, call: KernelCall): void {
  const a = call.args as readonly number[];
  (kernels[call.kernel] as unknown as Kernel)(
    a[0],
    a[1],
    a[2],
    a[3],
    a[4],
    a[5],
    a[6],
    a[7],
    a[8],
    a[9],
    a[10],
    a[11],
    a[12],
    a[13],
    a[14],
    a[15],
    a[16],
    a[17],
  );
}

/**
 * Whether kernel 2 reads pred for these coefficients. It does through an activation, a pointwise
 * term or tiles (channels-last classes are gathered whether used or not); on the direct rows of
 * identity (assembly/grad.ts isDirect) only when ∂L/∂p depends on p, i.e. some q or s is
 * non-zero (assembly/map.ts READ). Plain Dice and Jaccard of probabilities do not, which saves
 * streaming pred in for kernel 2.
 */
export function gradReadsPred(plan: TensorPlan, coef: Float64Array): boolean {
  if (plan.activation !== 'none' || plan.point !== 'none' || (plan.layout === 'NHWC' && plan.C > 1)) return true;
  for (let at = 0; at < coef.length; at += COEF_STRIDE) {
    if (coef[at + COEF_Q] !== 0 || coef[at + COEF_S] !== 0) return true;
  }
  return false;
}

/** Distance between the mask rows of consecutive samples: the piece's S, or 0 when all share one. */
function maskStride(plan: TensorPlan, p: Piece): number {
  return plan.mask === 'perSample' ? p.S : 0;
}

function ignoreArgs(plan: TensorPlan): [number, number] {
  return [plan.ignoreIndex ?? 0, plan.ignoreIndex === null ? 0 : 1];
}
