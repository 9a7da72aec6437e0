// What every file reader returns — a shape and the voxels as read — and the step from there to
// the label maps the confusion kernel counts (Uint8Array, Uint16Array or Int32Array).

/** Voxel types of the files read (NumPy names). Multi-byte types are little-endian unless a file says otherwise. */
export const DTYPES = {
  bool: { bytes: 1, array: Uint8Array },
  uint8: { bytes: 1, array: Uint8Array },
  int8: { bytes: 1, array: Int8Array },
  uint16: { bytes: 2, array: Uint16Array },
  int16: { bytes: 2, array: Int16Array },
  uint32: { bytes: 4, array: Uint32Array },
  int32: { bytes: 4, array: Int32Array },
  float32: { bytes: 4, array: Float32Array },
  float64: { bytes: 8, array: Float64Array },
  int64: { bytes: 8, array: BigInt64Array },
  uint64: { bytes: 8, array: BigUint64Array },
} as const;

export type Dtype = keyof typeof DTYPES;
export const DTYPE_NAMES = Object.keys(DTYPES) as Dtype[];

export type Voxels =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export interface Volume {
  /** Axes as the file stores them (PNG: [height, width]; NIfTI: [x, y, z, …]; NumPy: its shape). */
  shape: number[];
  voxels: Voxels;
  /** The first axis of `shape` varies fastest in memory (NIfTI); otherwise the last does (C order). */
  firstAxisFastest?: boolean;
  /** Voxel size along each axis of `shape`, when the file says (NIfTI pixdim). */
  spacing?: number[];
}

/** A label map as the confusion kernel reads it. */
export type Labels = Uint8Array | Uint16Array | Int32Array;

/** Thrown for a file that cannot be read or used; the message names what is wrong, the caller adds the file. */
export class FileError extends Error {}

/**
 * Voxels an image may have unless --max-voxels says otherwise: 2^28 (512×512×1024), about 1 GiB of
 * memory for a pair. A compressed file can declare far more than it weighs (an 875 KB PNG of
 * 30000×30000 zeros, a 2 MB .nii.gz of 1024×1024×2047), and would be read at that cost.
 */
export const DEFAULT_MAX_VOXELS = 2 ** 28;

/**
 * The voxels of `dtype` in `bytes`, which the caller owns and which start at the beginning of
 * their buffer (so that the view is aligned), in the machine's (little-endian) order.
 */
export function voxelsOf(bytes: Uint8Array, dtype: Dtype, littleEndian: boolean): Voxels {
  const { bytes: size, array: Type } = DTYPES[dtype];
  if (!littleEndian && size > 1) {
    for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  return new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset, Math.floor(bytes.length / size));
}

/** Shapes compared without trailing axes of length 1 (a NIfTI 8×8×4×1 is an 8×8×4 volume). */
export function trimShape(shape: readonly number[]): number[] {
  const trimmed = [...shape];
  while (trimmed.length > 1 && trimmed[trimmed.length - 1] === 1) trimmed.pop();
  return trimmed;
}

export const formatShape = (shape: readonly number[]): string => shape.join('×');

/**
 * The voxels of a prediction or a target as labels. Integer types are taken as they are
 * (uint8, uint16 and int32 without a copy); other types must hold integers ≥ 0, stored in the
 * narrowest kernel type that holds them. With `threshold`, the voxels are a probability map:
 * label 1 where value > threshold (compared in float32, as the library's threshold decision), else 0.
 */
export function toLabels(voxels: Voxels, threshold: number | null): Labels {
  if (threshold !== null) {
    const t = Math.fround(threshold);
    const labels = new Uint8Array(voxels.length);
    for (let i = 0; i < voxels.length; i++) labels[i] = Number(voxels[i]) > t ? 1 : 0;
    return labels;
  }
  if (voxels instanceof Uint8Array || voxels instanceof Uint16Array || voxels instanceof Int32Array) return voxels;
  let max = 0;
  for (let i = 0; i < voxels.length; i++) {
    const v = Number(voxels[i]);
    if (!(Number.isInteger(v) && v >= 0 && v <= 0x7fffffff)) {
      const hint = Number.isInteger(v)
        ? 'labels are integers in [0, 2^31)'
        : 'pass --threshold if this is a probability map';
      throw new FileError(`holds ${v} at voxel ${i}; ${hint}`);
    }
    if (v > max) max = v;
  }
  const labels = new (max <= 0xff ? Uint8Array : max <= 0xffff ? Uint16Array : Int32Array)(voxels.length);
  for (let i = 0; i < voxels.length; i++) labels[i] = Number(voxels[i]);
  return labels;
}

/** The largest label, not counting voxels equal to `skip` (the ignore index of a target). */
export function maxLabel(labels: Labels, skip: number | null): number {
  // The bits set in some voxel, four bytes at a time: when they are one bit (a binary mask, the
  // commonest file) or none, that is the largest label, found in a third of the time of the scan.
  const bits = labelBits(labels);
  if (bits !== null && (bits & (bits - 1)) === 0 && (skip === null || skip === 0 || (skip & ~bits) !== 0)) {
    return bits;
  }
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max && labels[i] !== skip) max = labels[i];
  return max;
}

/** The OR of every label (as stored, ≥ 0), or null for labels it cannot say (negative int32, unaligned views). */
function labelBits(labels: Labels): number | null {
  const size = labels.BYTES_PER_ELEMENT;
  if (labels.byteOffset % 4 !== 0) return null;
  const words = new Uint32Array(labels.buffer, labels.byteOffset, (labels.length * size) >>> 2);
  let or = 0;
  for (let i = 0; i < words.length; i++) or |= words[i];
  for (let i = (words.length * 4) / size; i < labels.length; i++) or |= labels[i];
  if (size === 1) or = (or | (or >>> 8) | (or >>> 16) | (or >>> 24)) & 0xff;
  else if (size === 2) or = (or | (or >>> 16)) & 0xffff;
  return or < 0 ? null : or;
}
