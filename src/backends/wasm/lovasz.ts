// One call of a Lovász loss on the WebAssembly kernels (assembly/lovasz.ts, assembly/sort.ts).
import {
  ACTIVATION_CODE,
  LAYOUT_CODE,
  LIST_FOREGROUND,
  LIST_KEYS,
  LIST_OTHER,
  LIST_STRIDE,
} from '../../core/constants.js';
import type { LovaszPlan } from '../../core/plans.js';
import type { LovaszCounts, LovaszJob } from '../engine.js';
import { deliverGradient } from './gradient.js';
import type { DiceExports } from './exports.generated.js';

/** Where a Lovász call's arrays and work areas are in the memory (0: not needed). */
export interface LovaszAddresses {
  pred: number;
  target: number;
  out: number;
  /** Probabilities channels first (pred itself when it already is that). */
  prob: number;
  /** ∂(class losses)/∂p channels first (when a gradient is asked for). */
  dp: number;
  pairs: number;
  sortWork: number;
  list: number;
  scale: number;
  scratch: number;
}

type WorkArea = 'pairs' | 'sortWork' | 'list' | 'scale' | 'scratch' | 'prob' | 'dp';

/**
 * The work areas of a call, as offsets into one workspace (16-byte aligned, for v128), and its
 * size: pairs and sort work for the largest set, the list record, one scale per (sample,
 * class), the kernels' scratch, and pred-sized probabilities (unless pred already holds them
 * channels first, or for the hinge) and ∂L/∂p (with a gradient).
 */
export function lovaszWorkspace(
  kernels: DiceExports,
  plan: LovaszPlan,
  withGrad: boolean,
): { bytes: number; offsets: Partial<Record<WorkArea, number>> } {
  const { B, C, S, setLength } = plan;
  const elementBytes = B * C * S * 4;
  const ownProb = plan.targetKind !== 'binary' && (plan.activation === 'softmax' || plan.layout !== 'NCHW');
  const sizes: [WorkArea, number][] = [
    ['pairs', setLength * 8],
    ['sortWork', kernels.argsortWorkBytes(setLength)],
    ['list', LIST_STRIDE * 4],
    ['scale', B * C * 8],
    ['scratch', kernels.scratchBytes(C)],
  ];
  if (ownProb) sizes.push(['prob', elementBytes]);
  if (withGrad) sizes.push(['dp', elementBytes]);
  const offsets: Partial<Record<WorkArea, number>> = {};
  let bytes = 0;
  for (const [area, size] of sizes) {
    offsets[area] = bytes;
    bytes += Math.ceil(size / 16) * 16;
  }
  return { bytes, offsets };
}

export class WasmLovaszJob implements LovaszJob {
  /** Pairs in the current list. */
  private listed = 0;

  constructor(
    private readonly kernels: DiceExports,
    private readonly plan: LovaszPlan,
    private readonly at: LovaszAddresses,
    readonly close: () => void,
    private readonly gradOut: Float32Array | null | undefined,
    private readonly outResident: boolean,
    private readonly length: number,
  ) {
    const { B, C, S } = plan;
    if (at.dp !== 0) new Float32Array(kernels.memory.buffer, at.dp, B * C * S).fill(0);
    if (at.prob !== 0 && at.prob !== at.pred) {
      kernels.lovaszProbabilities(
        at.prob,
        at.pred,
        B,
        C,
        S,
        LAYOUT_CODE[plan.layout],
        ACTIVATION_CODE[plan.activation],
        at.scratch,
      );
    }
  }

  list(b0: number, b1: number, c: number): LovaszCounts {
    const { kernels: k, plan, at } = this;
    const { C, S } = plan;
    const ignoreIndex = plan.ignoreIndex ?? 0;
    const hasIgnore = plan.ignoreIndex === null ? 0 : 1;
    const record = new Uint32Array(k.memory.buffer, at.list, LIST_STRIDE);
    record.fill(0);
    const size = TARGET_BYTES[plan.targetType];
    if (plan.targetKind === 'binary') {
      const kernel =
        plan.targetType === 'f32'
          ? k.lovaszHingeErrors_f32
          : plan.targetType === 'u8'
            ? k.lovaszHingeErrors_u8
            : plan.targetType === 'u16'
              ? k.lovaszHingeErrors_u16
              : k.lovaszHingeErrors_i32;
      kernel(
        at.pairs,
        at.list,
        at.pred + b0 * S * 4,
        at.target + b0 * S * size,
        (b1 - b0) * S,
        b0 * S,
        ignoreIndex,
        hasIgnore,
      );
    } else {
      for (let b = b0; b < b1; b++) {
        const first = (b * C + c) * S;
        if (plan.targetKind === 'labels') {
          const kernel =
            plan.targetType === 'u8'
              ? k.lovaszLabelErrors_u8
              : plan.targetType === 'u16'
                ? k.lovaszLabelErrors_u16
                : k.lovaszLabelErrors_i32;
          kernel(
            at.pairs,
            at.list,
            at.prob + first * 4,
            at.target + b * S * size,
            S,
            first,
            c,
            C,
            ignoreIndex,
            hasIgnore,
          );
        } else {
          const kernel = plan.targetType === 'f32' ? k.lovaszDenseErrors_f32 : k.lovaszDenseErrors_u8;
          const nchw = plan.layout === 'NCHW';
          kernel(
            at.pairs,
            at.list,
            at.prob + first * 4,
            at.target + (nchw ? first : b * S * C + c) * size,
            nchw ? 1 : C,
            S,
            first,
          );
        }
      }
    }
    this.listed = record[LIST_KEYS];
    return { foreground: record[LIST_FOREGROUND], other: record[LIST_OTHER] };
  }

  walk(foreground: number): number {
    const { kernels: k, at } = this;
    k.argsortDesc_f32(at.pairs, this.listed, at.sortWork);
    return k.lovaszWalk(at.pairs, this.listed, foreground, at.dp);
  }

  grad(scale: Float64Array): Float32Array {
    const { kernels: k, plan, at } = this;
    const buffer = k.memory.buffer;
    new Float64Array(buffer, at.scale, scale.length).set(scale);
    k.lovaszBackward(
      at.out,
      at.dp,
      at.prob,
      at.scale,
      plan.B,
      plan.C,
      plan.S,
      LAYOUT_CODE[plan.layout],
      ACTIVATION_CODE[plan.activation],
      at.scratch,
    );
    return deliverGradient(buffer, at.out, this.length, this.gradOut, this.outResident);
  }
}

const TARGET_BYTES = { f32: 4, u8: 1, u16: 2, i32: 4 } as const;
