// Raw binary voxels: no header, the shape and dtype given on the command line, little-endian.
import { DTYPES, FileError, formatShape, readVoxels, type Dtype, type Volume } from './volume.js';

export function readRaw(bytes: Uint8Array, shape: readonly number[], dtype: Dtype): Volume {
  const count = shape.reduce((a, d) => a * d, 1);
  const expected = count * DTYPES[dtype].bytes;
  if (bytes.length !== expected) {
    throw new FileError(`has ${bytes.length} bytes; --shape ${formatShape(shape)} of ${dtype} needs ${expected}`);
  }
  return { shape: [...shape], voxels: readVoxels(bytes, 0, count, dtype, true) };
}
