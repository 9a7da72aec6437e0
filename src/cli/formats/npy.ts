// NumPy .npy files (format versions 1–3): C order, the dtypes of DTYPES in either byte order.
import { FileError, readVoxels, type Dtype, type Volume } from './volume.js';

const MAGIC = '\x93NUMPY';

/** NumPy's type codes (descr without the byte-order character) → dtype. */
const DESCR: Readonly<Record<string, Dtype>> = {
  b1: 'bool',
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  f4: 'float32',
  f8: 'float64',
};

export function readNpy(bytes: Uint8Array): Volume {
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC) {
    throw new FileError('is not a NumPy .npy file (no \\x93NUMPY magic)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([<>|=])([a-z]\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (descr === null || fortran === null || shape === null)
    throw new FileError(`has a .npy header that cannot be read: ${header.trim()}`);
  const dtype = DESCR[descr[2]];
  if (dtype === undefined)
    throw new FileError(
      `has dtype '${descr[1]}${descr[2]}'; readable: ${Object.keys(DESCR).join(', ')} (bool, integers, ` +
        'float32, float64)',
    );
  if (fortran[1] === 'True') throw new FileError('is in Fortran order; save it in C order (np.ascontiguousarray)');
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = dims.reduce((a, d) => a * d, 1);
  return {
    shape: dims.length === 0 ? [1] : dims,
    voxels: readVoxels(bytes, start + headerLength, count, dtype, descr[1] !== '>'),
  };
}
