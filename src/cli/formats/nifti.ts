// NIfTI-1 and NIfTI-2 volumes, .nii or .nii.gz (nifti-reader-js). The shape is the header's
// dim[1..dim[0]] (x fastest in memory), the spacing its pixdim[1..dim[0]] in the header's units
// (as nibabel's get_zooms, which MONAI uses); scl_slope / scl_inter are applied when they change
// values.
import * as nifti from 'nifti-reader-js';
import { FileError, readVoxels, type Dtype, type Volume } from './volume.js';

const TYPES: Readonly<Record<number, Dtype>> = {
  [nifti.NIFTI1.TYPE_BINARY]: 'uint8',
  [nifti.NIFTI1.TYPE_UINT8]: 'uint8',
  [nifti.NIFTI1.TYPE_INT8]: 'int8',
  [nifti.NIFTI1.TYPE_INT16]: 'int16',
  [nifti.NIFTI1.TYPE_UINT16]: 'uint16',
  [nifti.NIFTI1.TYPE_INT32]: 'int32',
  [nifti.NIFTI1.TYPE_UINT32]: 'uint32',
  [nifti.NIFTI1.TYPE_INT64]: 'int64',
  [nifti.NIFTI1.TYPE_UINT64]: 'uint64',
  [nifti.NIFTI1.TYPE_FLOAT32]: 'float32',
  [nifti.NIFTI1.TYPE_FLOAT64]: 'float64',
};

export function readNifti(bytes: Uint8Array): Volume {
  let buffer: ArrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  let header: ReturnType<typeof nifti.readHeader>;
  try {
    if (nifti.isCompressed(buffer)) buffer = nifti.decompress(buffer) as ArrayBuffer;
    if (!nifti.isNIFTI(buffer)) throw new FileError('is not a NIfTI-1 or NIfTI-2 file (no n+1 / ni1 / n+2 magic)');
    header = nifti.readHeader(buffer);
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(`is not a readable NIfTI file (${error instanceof Error ? error.message : String(error)})`);
  }
  const dtype = TYPES[header.datatypeCode];
  if (dtype === undefined) {
    throw new FileError(
      `has NIfTI datatype ${header.datatypeCode}, not a label or probability type (integers, float32 or float64)`,
    );
  }
  const rank = header.dims[0];
  if (!(rank >= 1 && rank <= 7)) throw new FileError(`has dim[0] = ${rank}; it must be 1 to 7`);
  const shape = header.dims.slice(1, rank + 1);
  const count = shape.reduce((a, d) => a * d, 1);
  const voxels = readVoxels(new Uint8Array(buffer), Math.trunc(header.vox_offset), count, dtype, header.littleEndian);
  const geometry = { firstAxisFastest: true, spacing: header.pixDims.slice(1, rank + 1) };
  const slope = header.scl_slope,
    inter = header.scl_inter;
  if (slope === 0 || !Number.isFinite(slope) || (slope === 1 && !inter)) return { shape, voxels, ...geometry };
  const scaled = new Float64Array(count);
  for (let i = 0; i < count; i++) scaled[i] = Number(voxels[i]) * slope + (inter || 0);
  return { shape, voxels: scaled, ...geometry };
}
