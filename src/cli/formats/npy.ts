// NumPy .npy files (format versions 1–3): C order, the dtypes of DESCR in either byte order. The
// header (NumPy's `numpy/lib/format.py`) is a Python dict literal with exactly the keys 'descr',
// 'fortran_order' and 'shape', padded with spaces and ended by a newline; it is parsed strictly
// (anything else is refused, never guessed at) and checked before anything is allocated.
import { quote } from '../../core/errors.js';
import { DTYPES, FileError, formatShape, type Dtype } from './volume.js';

const MAGIC = '\x93NUMPY';
/** NumPy refuses headers longer than this by default (`max_header_size`, NumPy ≥ 1.24): so do we. */
export const NPY_MAX_HEADER = 10000;
/** Bytes before the header: magic, version, header length (2 bytes in version 1, 4 after). */
export const NPY_PREFIX_BYTES = 12;

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

export interface NpyHeader {
  shape: number[];
  dtype: Dtype;
  littleEndian: boolean;
  /** Where the voxels start, and their bytes: the file holds exactly dataOffset + dataBytes bytes. */
  dataOffset: number;
  dataBytes: number;
}

/** Where the header ends, from the first NPY_PREFIX_BYTES bytes (or the whole file if shorter). */
export function npyHeaderEnd(prefix: Uint8Array): number {
  if (prefix.length < 10 || String.fromCharCode(...prefix.subarray(0, 6)) !== MAGIC) {
    throw new FileError('is not a NumPy .npy file (no \\x93NUMPY magic)');
  }
  const major = prefix[6];
  if (major < 1 || major > 3) throw new FileError(`is a .npy file of format version ${major}; readable: 1 to 3`);
  if (major > 1 && prefix.length < 12) throw new FileError('is a truncated .npy file');
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.length);
  const start = major === 1 ? 10 : 12;
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (length > NPY_MAX_HEADER) {
    throw new FileError(`has a .npy header of ${length} bytes; NumPy itself reads at most ${NPY_MAX_HEADER}`);
  }
  return start + length;
}

/** The header, from the file's first npyHeaderEnd(…) bytes, checked against `maxVoxels`. */
export function readNpyHeader(bytes: Uint8Array, maxVoxels: number): NpyHeader {
  const end = npyHeaderEnd(bytes);
  if (bytes.length < end) throw new FileError(`is a truncated .npy file (its header needs ${end} bytes)`);
  const start = bytes[6] === 1 ? 10 : 12;
  // Version 3 headers are UTF-8, earlier ones latin-1: the fields read here are ASCII either way.
  const text = String.fromCharCode(...bytes.subarray(start, end));
  const fields = parseHeader(text);
  const descr = /^([<>|=])([a-z]\d+)$/.exec(fields.descr);
  const dtype = descr === null ? undefined : DESCR[descr[2]];
  if (descr === null || dtype === undefined) {
    throw new FileError(
      `has dtype '${quote(fields.descr, 20)}'; readable: ${Object.keys(DESCR).join(', ')} (bool, integers, ` +
        'float32, float64)',
    );
  }
  if (fields.fortranOrder) throw new FileError('is in Fortran order; save it in C order (np.ascontiguousarray)');
  let voxels = 1;
  for (const d of fields.shape) {
    voxels *= d;
    if (voxels > maxVoxels) {
      throw new FileError(
        `declares ${formatShape(fields.shape)} voxels, more than --max-voxels ${maxVoxels}; ` +
          'raise --max-voxels to read it',
      );
    }
  }
  return {
    shape: fields.shape.length === 0 ? [1] : fields.shape,
    dtype,
    littleEndian: descr[1] !== '>',
    dataOffset: end,
    dataBytes: voxels * DTYPES[dtype].bytes,
  };
}

interface Fields {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/**
 * `{'descr': '<u1', 'fortran_order': False, 'shape': (4, 4), }` followed by spaces and a newline:
 * each key once, in any order, with an optional trailing comma; the shape a tuple of integers.
 */
function parseHeader(text: string): Fields {
  let at = 0;
  const fail = (what: string): FileError =>
    new FileError(`has a .npy header that is not NumPy's (${what} at character ${at}): ${quote(text.trim(), 120)}`);
  const space = () => {
    while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
  };
  const expect = (token: string) => {
    space();
    if (!text.startsWith(token, at)) throw fail(`'${token}' expected`);
    at += token.length;
  };
  const string = (): string => {
    space();
    const q = text[at];
    if (q !== "'" && q !== '"') throw fail('a string expected');
    const close = text.indexOf(q, at + 1);
    if (close < 0) throw fail('an unterminated string');
    const value = text.slice(at + 1, close);
    at = close + 1;
    return value;
  };
  const integer = (): number => {
    space();
    const match = /^\d+L?/.exec(text.slice(at, at + 32));
    if (match === null) throw fail('a non-negative integer expected');
    at += match[0].length;
    const value = Number(match[0].replace('L', ''));
    if (!Number.isSafeInteger(value)) throw fail(`the dimension ${match[0]} is too large`);
    return value;
  };
  const values: Partial<Fields> = {};
  expect('{');
  for (;;) {
    space();
    if (text[at] === '}') break;
    const key = string();
    expect(':');
    const field = key === 'fortran_order' ? 'fortranOrder' : key;
    if (field in values) throw fail(`the key '${quote(key, 20)}' twice`);
    if (key === 'descr') values.descr = string();
    else if (key === 'fortran_order') {
      space();
      if (text.startsWith('True', at)) values.fortranOrder = true;
      else if (text.startsWith('False', at)) values.fortranOrder = false;
      else throw fail('True or False expected');
      at += values.fortranOrder ? 4 : 5;
    } else if (key === 'shape') {
      expect('(');
      const shape: number[] = [];
      let comma = false;
      space();
      while (text[at] !== ')') {
        shape.push(integer());
        space();
        comma = text[at] === ',';
        if (comma) at++;
        else if (text[at] !== ')') throw fail("',' or ')' expected");
        space();
      }
      // A one-element tuple is written (4,): without the comma, (4) is a plain integer in Python.
      if (shape.length === 1 && !comma) throw fail('a one-element shape written (n,) expected');
      at++;
      values.shape = shape;
    } else throw fail(`the key '${quote(key, 20)}', which is not descr, fortran_order or shape`);
    space();
    if (text[at] === ',') at++;
    else if (text[at] !== '}') throw fail("',' or '}' expected");
  }
  at++;
  if (!/^[ \t]*\n?[ \t\n]*$/.test(text.slice(at))) throw fail('text after the closing brace');
  const missing = [
    values.descr === undefined ? 'descr' : '',
    values.fortranOrder === undefined ? 'fortran_order' : '',
    values.shape === undefined ? 'shape' : '',
  ].filter((k) => k !== '');
  if (missing.length > 0) throw fail(`no ${missing.join(', ')}`);
  return values as Fields;
}
