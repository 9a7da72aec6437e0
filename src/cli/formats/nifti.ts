// NIfTI-1 and NIfTI-2 single-file volumes (.nii, and .nii.gz through source.ts): the header read
// and checked here, before anything the size of the image is allocated. The shape is the header's
// dim[1..dim[0]] (x fastest in memory), the spacing its pixdim[1..dim[0]] in the header's units
// (as nibabel's get_zooms, which MONAI uses); scl_slope / scl_inter are applied when they change
// values. Layout of the headers: the NIfTI-1 and NIfTI-2 specifications (nifti.nimh.nih.gov).
import { DTYPES, FileError, formatShape, type Dtype } from './volume.js';

/** NIfTI datatype codes → dtype (the label and probability types; complex and RGB are refused). */
const TYPES: Readonly<Record<number, Dtype>> = {
  1: 'uint8', // DT_BINARY (stored as bytes)
  2: 'uint8',
  4: 'int16',
  8: 'int32',
  16: 'float32',
  64: 'float64',
  256: 'int8',
  512: 'uint16',
  768: 'uint32',
  1024: 'int64',
  1280: 'uint64',
};

/** Bytes that hold either header, with the 4 extension bytes that follow it. */
export const NIFTI_PREFIX_BYTES = 544;

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  shape: number[];
  dtype: Dtype;
  /** pixdim[1..dim[0]]. */
  spacing: number[];
  /** Where the voxels start, and their bytes: the file holds exactly voxOffset + dataBytes bytes (inflated). */
  voxOffset: number;
  dataBytes: number;
  voxels: number;
  slope: number;
  inter: number;
}

/**
 * The header of a NIfTI file from its first bytes (at least NIFTI_PREFIX_BYTES, or the whole file
 * if shorter), checked: magic, dimensions (1 to 7 axes, each ≥ 1), datatype, a voxel count within
 * `maxVoxels`, and a vox_offset past the header.
 */
export function readNiftiHeader(prefix: Uint8Array, maxVoxels: number): NiftiHeader {
  if (prefix.length < 348) throw new FileError(`is not a NIfTI file: ${prefix.length} bytes, less than a header`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.length);
  const sizeLE = view.getInt32(0, true),
    sizeBE = view.getInt32(0, false);
  const version = sizeLE === 348 || sizeBE === 348 ? 1 : sizeLE === 540 || sizeBE === 540 ? 2 : 0;
  if (version === 0) {
    throw new FileError('is not a NIfTI-1 or NIfTI-2 file (its first 4 bytes are not the header size 348 or 540)');
  }
  const le = sizeLE === 348 || sizeLE === 540;
  const headerBytes = version === 1 ? 348 : 540;
  if (prefix.length < headerBytes) throw new FileError(`is a truncated NIfTI-2 file (${prefix.length} bytes)`);
  const magic = String.fromCharCode(...prefix.subarray(version === 1 ? 344 : 4, version === 1 ? 348 : 12));
  if (version === 1 && magic === 'ni1\0') {
    throw new FileError('is the header of a NIfTI .hdr/.img pair (magic ni1); eval reads single-file .nii / .nii.gz');
  }
  if (magic !== (version === 1 ? 'n+1\0' : 'n+2\0\r\n\x1a\n')) {
    throw new FileError(`is not a NIfTI-${version} single file (no ${version === 1 ? 'n+1' : 'n+2'} magic)`);
  }
  const int = (at: number): number => (version === 1 ? view.getInt16(at, le) : Number(view.getBigInt64(at, le)));
  const real = (at: number): number => (version === 1 ? view.getFloat32(at, le) : view.getFloat64(at, le));
  const [dimAt, typeAt, pixdimAt, offsetAt, slopeAt] = version === 1 ? [40, 70, 76, 108, 112] : [16, 12, 104, 168, 176];
  const step = version === 1 ? 2 : 8;
  const realStep = version === 1 ? 4 : 8;

  const rank = int(dimAt);
  if (!(rank >= 1 && rank <= 7)) throw new FileError(`has dim[0] = ${rank}; it must be 1 to 7`);
  const shape = Array.from({ length: rank }, (_, i) => int(dimAt + (i + 1) * step));
  const bad = shape.findIndex((d) => !(Number.isSafeInteger(d) && d >= 1));
  if (bad >= 0) throw new FileError(`has dim[${bad + 1}] = ${shape[bad]}; dimensions must be ≥ 1`);
  let voxels = 1;
  for (const d of shape) {
    voxels *= d;
    if (voxels > maxVoxels) {
      throw new FileError(
        `declares ${formatShape(shape)} voxels, more than --max-voxels ${maxVoxels}; raise --max-voxels to read it`,
      );
    }
  }
  const code = view.getInt16(typeAt, le);
  const dtype = TYPES[code];
  if (dtype === undefined) {
    throw new FileError(`has NIfTI datatype ${code}, not a label or probability type (integers, float32 or float64)`);
  }
  const offset = version === 1 ? view.getFloat32(offsetAt, le) : Number(view.getBigInt64(offsetAt, le));
  const minOffset = headerBytes + 4;
  if (!(Number.isSafeInteger(offset) && offset >= minOffset)) {
    throw new FileError(
      `has vox_offset ${offset}; the voxels of a single-file NIfTI-${version} start at an integer offset ` +
        `≥ ${minOffset} (after the header and its 4 extension bytes)`,
    );
  }
  return {
    version,
    littleEndian: le,
    shape,
    dtype,
    spacing: Array.from({ length: rank }, (_, i) => real(pixdimAt + (i + 1) * realStep)),
    voxOffset: offset,
    dataBytes: voxels * DTYPES[dtype].bytes,
    voxels,
    slope: real(slopeAt),
    inter: real(slopeAt + realStep),
  };
}

/** Values after scl_slope and scl_inter, when they change any (slope 0 or not finite: not set). */
export function applyScaling(header: NiftiHeader, voxels: ArrayLike<number | bigint>): Float64Array | null {
  const { slope, inter } = header;
  if (slope === 0 || !Number.isFinite(slope) || (slope === 1 && !inter)) return null;
  const scaled = new Float64Array(voxels.length);
  for (let i = 0; i < voxels.length; i++) scaled[i] = Number(voxels[i]) * slope + (inter || 0);
  return scaled;
}
