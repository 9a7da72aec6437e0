// Confusion counts on the WebAssembly backend: pick the kernel for the pair of array kinds,
// place the arrays (in place when they live in the memory and have the kernel's type, else a
// copy, converted where the kernel needs another label type), run it, read the records.
import type { HardPrediction, Target } from '../../core/api.js';
import { CONF_PRED, CONF_STRIDE, CONF_TARGET, DECIDE_CODE, LAYOUT_CODE } from '../../core/constants.js';
import type { ConfusionPlan, LabelType } from '../../core/plans.js';
import type { Arena } from '../../runtime/arena.js';
import type { DiceExports } from './exports.generated.js';
import type { MemoryViews } from './views.js';

type ElementType = LabelType | 'f32';

const CTORS = { u8: Uint8Array, u16: Uint16Array, i32: Int32Array, f32: Float32Array } as const;
/** Largest label each label type holds. */
const LARGEST: Readonly<Record<LabelType, number>> = { u8: 0xff, u16: 0xffff, i32: 0x7fffffff };

/** What the engine lends to one count: its arena, where resident arrays are, its workspace. */
export interface Placement {
  memory: WebAssembly.Memory;
  views: MemoryViews;
  arena: Arena;
  /** Address of an array that lives in the memory (from alloc), or null for one to copy. */
  resident(name: string, array: ArrayBufferView): number | null;
  /** The engine's reusable block of at least `bytes` bytes. */
  workspace(bytes: number): number;
}

/** The kernel call for a plan, and the element types it needs the arrays in. */
interface Dispatch {
  predType: ElementType;
  targetType: ElementType;
  /** The kernel counted with the dense target as its "prediction": PRED and TARGET are exchanged. */
  swapped: boolean;
  run(out: number, pred: number, target: number, scratch: number): void;
}

export function countConfusionWasm(
  k: DiceExports,
  place: Placement,
  plan: ConfusionPlan,
  pred: HardPrediction,
  target: Target,
): Float64Array {
  const dispatch = chooseKernel(k, plan);
  // Addresses of resident arrays first: any allocation below may grow the memory and detach them.
  const predAt = place.resident('pred', pred);
  const targetAt = place.resident('target', target);
  const predLength = pred.length,
    targetLength = target.length;
  const blocks: number[] = [];
  try {
    const recordBytes = plan.B * plan.C * CONF_STRIDE * 8;
    const work = place.workspace(recordBytes + k.confusionScratchBytes(plan.C));
    const p = locate(place, blocks, pred, predLength, predAt, dispatch.predType);
    const t = locate(place, blocks, target, targetLength, targetAt, dispatch.targetType);
    if (p.copy || t.copy) {
      const buffer = place.memory.buffer;
      if (p.copy)
        new CTORS[dispatch.predType](buffer, p.at, predLength).set(reattached(buffer, pred, predLength, predAt));
      if (t.copy)
        new CTORS[dispatch.targetType](buffer, t.at, targetLength).set(
          reattached(buffer, target, targetLength, targetAt),
        );
    }
    const first = work / 8,
      length = plan.B * plan.C * CONF_STRIDE;
    place.views.f64(work + length * 8).fill(0, first, first + length); // the kernels add to their records
    dispatch.run(work, p.at, t.at, work + recordBytes);
    const out = place.views.f64().slice(first, first + length);
    if (dispatch.swapped) exchangePredTarget(out);
    return out;
  } finally {
    for (const b of blocks) place.arena.free(b);
  }
}

/** Where an array is for the kernel: in place, or a block the caller copies it into. */
function locate(
  place: Placement,
  blocks: number[],
  array: ArrayBufferView,
  length: number,
  residentAt: number | null,
  type: ElementType,
): { at: number; copy: boolean } {
  if (residentAt !== null && array instanceof CTORS[type]) return { at: residentAt, copy: false };
  const at = place.arena.alloc(length * CTORS[type].BYTES_PER_ELEMENT);
  blocks.push(at);
  return { at, copy: true };
}

/**
 * A resident array that needs converting is read through a fresh view: the allocations above
 * may have grown the memory, which detaches the caller's view.
 */
function reattached<T extends HardPrediction | Target>(
  buffer: ArrayBuffer,
  array: T,
  length: number,
  residentAt: number | null,
): T {
  if (residentAt === null) return array;
  const ctor = array.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => T;
  return new ctor(buffer, residentAt, length);
}

function exchangePredTarget(records: Float64Array): void {
  for (let at = 0; at < records.length; at += CONF_STRIDE) {
    const predicted = records[at + CONF_TARGET];
    records[at + CONF_TARGET] = records[at + CONF_PRED];
    records[at + CONF_PRED] = predicted;
  }
}

/** The wider of two label types: every value of both fits it. */
function wider(a: LabelType, b: LabelType): LabelType {
  if (a === 'i32' || b === 'i32') return 'i32';
  return a === 'u16' || b === 'u16' ? 'u16' : 'u8';
}

function chooseKernel(k: DiceExports, plan: ConfusionPlan): Dispatch {
  const { B, C, S, pred, target } = plan;
  const layout = LAYOUT_CODE[plan.layout];
  if (target.kind === 'labels') {
    let type = target.type;
    if (pred.kind === 'labels') type = wider(pred.type, type);
    // Argmax labels are written in the target's type: they must fit.
    else if (pred.decision === 'argmax' && C - 1 > LARGEST[type]) type = 'i32';
    const ignore = target.ignoreIndex;
    // An ignoreIndex the label type cannot hold matches no voxel.
    const hasIgnore = ignore !== null && ignore >= 0 && ignore <= LARGEST[type] ? 1 : 0;
    const ignoreIndex = hasIgnore ? (ignore as number) : 0;
    if (pred.kind === 'labels') {
      return {
        predType: type,
        targetType: type,
        swapped: false,
        run: (out, p, t, scratch) => k[`confusionLabels_${type}`](out, p, t, B, C, S, ignoreIndex, hasIgnore, scratch),
      };
    }
    if (pred.decision === 'argmax') {
      return {
        predType: 'f32',
        targetType: type,
        swapped: false,
        run: (out, p, t, scratch) =>
          k[`confusionArgmaxLabels_${type}`](out, p, t, B, C, S, layout, ignoreIndex, hasIgnore, scratch),
      };
    }
    const decide = DECIDE_CODE[pred.decision];
    return {
      predType: pred.type,
      targetType: type,
      swapped: false,
      run: (out, p, t, scratch) =>
        k[`confusionMaskLabels_${pred.type}_${type}`](
          out,
          p,
          t,
          B,
          C,
          S,
          layout,
          decide,
          pred.threshold,
          ignoreIndex,
          hasIgnore,
          scratch,
        ),
    };
  }
  if (pred.kind === 'labels') {
    // Label-map prediction, dense target: count with the roles exchanged.
    return {
      predType: pred.type,
      targetType: target.type,
      swapped: true,
      run: (out, p, t, scratch) =>
        k[`confusionMaskLabels_${target.type}_${pred.type}`](
          out,
          t,
          p,
          B,
          C,
          S,
          layout,
          DECIDE_CODE.nonzero,
          0,
          0,
          0,
          scratch,
        ),
    };
  }
  if (pred.decision === 'argmax') {
    return {
      predType: 'f32',
      targetType: target.type,
      swapped: false,
      run: (out, p, t, scratch) => k[`confusionArgmaxMasks_${target.type}`](out, p, t, B, C, S, layout, scratch),
    };
  }
  const decide = DECIDE_CODE[pred.decision];
  return {
    predType: pred.type,
    targetType: target.type,
    swapped: false,
    run: (out, p, t, scratch) =>
      k[`confusionMasks_${pred.type}_${target.type}`](out, p, t, B, C, S, layout, decide, pred.threshold, scratch),
  };
}
