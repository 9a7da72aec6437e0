// NRRD (.nrrd, .nhdr) and MetaImage (.mha, .mhd) headers: text fields before the voxels (attached)
// or naming a data file beside the header (detached), parsed strictly here and checked before
// anything the size of the image is allocated. Both store the first axis fastest (as NIfTI), so
// the shape is the header's sizes in order. Specifications: teem.sourceforge.net/nrrd/format.html
// (NRRD0001–NRRD0005) and itk.org's MetaIO documentation (MetaImage).
import { quote } from '../../core/errors.js';
import { DTYPES, FileError, formatShape, type Dtype } from './volume.js';

export interface TextHeader {
  shape: number[];
  dtype: Dtype;
  littleEndian: boolean;
  encoding: 'raw' | 'gzip' | 'zlib';
  /** The data file named by a detached header (relative to the header's directory), or null: attached. */
  dataFile: string | null;
  /** Where the voxels start in the header's own file (attached); 0 for a data file. */
  dataOffset: number;
  dataBytes: number;
  spacing?: number[];
}

const MAX_AXES = 16;

const NRRD_TYPES: Readonly<Record<string, Dtype>> = {
  'signed char': 'int8',
  int8: 'int8',
  int8_t: 'int8',
  uchar: 'uint8',
  'unsigned char': 'uint8',
  uint8: 'uint8',
  uint8_t: 'uint8',
  short: 'int16',
  'short int': 'int16',
  'signed short': 'int16',
  'signed short int': 'int16',
  int16: 'int16',
  int16_t: 'int16',
  ushort: 'uint16',
  'unsigned short': 'uint16',
  'unsigned short int': 'uint16',
  uint16: 'uint16',
  uint16_t: 'uint16',
  int: 'int32',
  'signed int': 'int32',
  int32: 'int32',
  int32_t: 'int32',
  uint: 'uint32',
  'unsigned int': 'uint32',
  uint32: 'uint32',
  uint32_t: 'uint32',
  longlong: 'int64',
  'long long': 'int64',
  'long long int': 'int64',
  'signed long long': 'int64',
  'signed long long int': 'int64',
  int64: 'int64',
  int64_t: 'int64',
  ulonglong: 'uint64',
  'unsigned long long': 'uint64',
  'unsigned long long int': 'uint64',
  uint64: 'uint64',
  uint64_t: 'uint64',
  float: 'float32',
  double: 'float64',
};

const MET_TYPES: Readonly<Record<string, Dtype>> = {
  MET_CHAR: 'int8',
  MET_UCHAR: 'uint8',
  MET_SHORT: 'int16',
  MET_USHORT: 'uint16',
  MET_INT: 'int32',
  MET_UINT: 'uint32',
  MET_LONG_LONG: 'int64',
  MET_ULONG_LONG: 'uint64',
  MET_FLOAT: 'float32',
  MET_DOUBLE: 'float64',
};

/**
 * The header's text: the bytes of `head` up to `end`, which must be in it (a header longer than the
 * head is refused).
 */
function headerText(head: Uint8Array, end: number): string {
  return String.fromCharCode(...head.subarray(0, end));
}

/** Sizes per axis, checked: 1 to MAX_AXES integers ≥ 1 whose product is within `maxVoxels`. */
function checkedShape(values: string[], field: string, maxVoxels: number): number[] {
  const shape = values.map(Number);
  if (shape.length === 0 || shape.length > MAX_AXES || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new FileError(`has ${field} '${quote(values.join(' '), 80)}'; sizes are 1 to ${MAX_AXES} integers ≥ 1`);
  }
  let voxels = 1;
  for (const d of shape) {
    voxels *= d;
    if (voxels > maxVoxels) {
      throw new FileError(
        `declares ${formatShape(shape)} voxels, more than --max-voxels ${maxVoxels}; raise --max-voxels to read it`,
      );
    }
  }
  return shape;
}

function spacingOf(values: number[], rank: number, field: string): number[] {
  if (values.length !== rank || !values.every((v) => Number.isFinite(v) && v > 0)) {
    throw new FileError(`has ${field} that are not ${rank} voxel sizes > 0`);
  }
  return values;
}

/** A data file name of a detached header: a plain name or relative path that stays in the header's directory. */
function dataFileName(name: string, field: string): string {
  const parts = name.split(/[\\/]/);
  if (name === '' || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || parts.includes('..')) {
    throw new FileError(
      `names its data file '${quote(name, 80)}' (${field}) outside its directory; ` +
        'only files beside the header are read',
    );
  }
  return name;
}

/** The header of a .nrrd or .nhdr file from its first bytes. */
export function readNrrdHeader(head: Uint8Array, maxVoxels: number): TextHeader {
  const magic = String.fromCharCode(...head.subarray(0, 8));
  if (!/^NRRD000[1-5]$/.test(magic)) throw new FileError('is not an NRRD file (no NRRD0001–NRRD0005 magic)');
  // The header ends at the first empty line (or at the end of a detached header).
  let end = -1;
  for (let i = 8; i + 1 < head.length; i++) {
    if (head[i] === 0x0a && head[i + 1] === 0x0a) {
      end = i + 2;
      break;
    }
    if (head[i] === 0x0a && head[i + 1] === 0x0d && head[i + 2] === 0x0a) {
      end = i + 3;
      break;
    }
  }
  const text = headerText(head, end < 0 ? head.length : end);
  const fields = new Map<string, string>();
  for (const raw of text.split(/\r?\n/).slice(1)) {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#') || /^[^:]*:=/.test(line)) continue;
    const colon = line.indexOf(': ');
    if (colon < 0) throw new FileError(`has an NRRD header line that is not 'field: value': '${quote(line, 80)}'`);
    const key = line.slice(0, colon).toLowerCase().replace(/\s+/g, ' ');
    if (fields.has(key)) throw new FileError(`has the NRRD field '${quote(key, 40)}' twice`);
    fields.set(key, line.slice(colon + 2).trim());
  }
  const field = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) throw new FileError(`has no NRRD field '${name}'`);
    return value;
  };
  const type = field('type').toLowerCase();
  const dtype = NRRD_TYPES[type];
  if (dtype === undefined) throw new FileError(`has NRRD type '${quote(type, 40)}', not an integer or float type`);
  const dimension = Number(field('dimension'));
  const shape = checkedShape(field('sizes').split(/\s+/), 'sizes', maxVoxels);
  if (shape.length !== dimension) throw new FileError(`has ${shape.length} sizes for dimension ${dimension}`);
  const encodingName = field('encoding').toLowerCase();
  const encoding = encodingName === 'raw' ? 'raw' : encodingName === 'gzip' || encodingName === 'gz' ? 'gzip' : null;
  if (encoding === null) {
    throw new FileError(`has NRRD encoding '${quote(encodingName, 40)}'; readable: raw, gzip`);
  }
  const endian = fields.get('endian')?.toLowerCase();
  if (DTYPES[dtype].bytes > 1 && endian !== 'little' && endian !== 'big') {
    throw new FileError("has no NRRD 'endian: little' or 'endian: big', which multi-byte types need");
  }
  if (fields.has('line skip') || fields.has('lineskip') || fields.has('byte skip') || fields.has('byteskip')) {
    const skips = ['line skip', 'lineskip', 'byte skip', 'byteskip']
      .map((k) => fields.get(k))
      .filter((v) => v !== undefined);
    if (skips.some((v) => v !== '0')) throw new FileError('has an NRRD line or byte skip, which eval does not read');
  }
  const detached = fields.get('data file') ?? fields.get('datafile');
  if (detached !== undefined && /^LIST|%/.test(detached)) {
    throw new FileError('names several data files (LIST or a pattern); eval reads one');
  }
  if (detached === undefined && end < 0) {
    throw new FileError(`has an NRRD header without its empty line within its first ${head.length} bytes`);
  }
  let spacing: number[] | undefined;
  const spacings = fields.get('spacings');
  const directions = fields.get('space directions');
  if (directions !== undefined) {
    const vectors = directions.split(/\)\s*\(|\s+(?=\(|none)/).map((v) => v.replace(/[()]/g, '').trim());
    if (vectors.length === shape.length) {
      spacing = spacingOf(
        vectors.map((v) => (v === 'none' ? 1 : Math.hypot(...v.split(',').map(Number)))),
        shape.length,
        'space directions',
      );
    }
  } else if (spacings !== undefined) {
    spacing = spacingOf(
      spacings.split(/\s+/).map((s) => (s.toLowerCase() === 'nan' ? 1 : Number(s))),
      shape.length,
      'spacings',
    );
  }
  const voxels = shape.reduce((a, d) => a * d, 1);
  return {
    shape,
    dtype,
    littleEndian: endian !== 'big',
    encoding,
    dataFile: detached === undefined ? null : dataFileName(detached, 'data file'),
    dataOffset: detached === undefined ? end : 0,
    dataBytes: voxels * DTYPES[dtype].bytes,
    ...(spacing === undefined ? {} : { spacing }),
  };
}

/** The header of a .mha or .mhd file from its first bytes. */
export function readMetaHeader(head: Uint8Array, maxVoxels: number): TextHeader {
  const fields = new Map<string, string>();
  let at = 0;
  let end = -1;
  while (at < head.length) {
    let newline = head.indexOf(0x0a, at);
    if (newline < 0) newline = head.length;
    const line = String.fromCharCode(...head.subarray(at, newline)).trim();
    at = newline + 1;
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new FileError(`is not a MetaImage header (a line is not 'Key = Value': '${quote(line, 80)}')`);
    const key = line.slice(0, eq).trim();
    if (fields.has(key)) throw new FileError(`has the MetaImage field '${quote(key, 40)}' twice`);
    fields.set(key, line.slice(eq + 1).trim());
    // ElementDataFile is the last field: the voxels (LOCAL) follow its line.
    if (key === 'ElementDataFile') {
      end = Math.min(at, head.length);
      break;
    }
  }
  if (end < 0)
    throw new FileError(`is not a MetaImage header (no ElementDataFile within its first ${head.length} bytes)`);
  const field = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined) throw new FileError(`has no MetaImage field '${name}'`);
    return value;
  };
  const objectType = fields.get('ObjectType');
  if (objectType !== undefined && objectType !== 'Image')
    throw new FileError(`is a MetaImage ${quote(objectType, 40)}, not an Image`);
  const shape = checkedShape(field('DimSize').split(/\s+/), 'DimSize', maxVoxels);
  const ndims = Number(field('NDims'));
  if (shape.length !== ndims) throw new FileError(`has ${shape.length} DimSize values for NDims ${ndims}`);
  const channels = fields.get('ElementNumberOfChannels');
  if (channels !== undefined && channels !== '1')
    throw new FileError(`has ${quote(channels, 20)} channels per voxel; masks have one`);
  const type = field('ElementType');
  const dtype = MET_TYPES[type];
  if (dtype === undefined) throw new FileError(`has ElementType '${quote(type, 40)}', not an integer or float type`);
  const msb = (fields.get('BinaryDataByteOrderMSB') ?? fields.get('ElementByteOrderMSB') ?? 'False').toLowerCase();
  if (msb !== 'true' && msb !== 'false')
    throw new FileError(`has a byte order '${quote(msb, 20)}' that is not True or False`);
  const compressed = (fields.get('CompressedData') ?? 'False').toLowerCase();
  if (compressed !== 'true' && compressed !== 'false')
    throw new FileError('has CompressedData that is not True or False');
  const headerSize = fields.get('HeaderSize');
  if (headerSize !== undefined && headerSize !== '0') throw new FileError('has a HeaderSize, which eval does not read');
  const spacingText = fields.get('ElementSpacing') ?? fields.get('ElementSize');
  const dataFile = field('ElementDataFile');
  if (dataFile === 'LIST' || dataFile.includes('%'))
    throw new FileError('names several data files (LIST or a pattern); eval reads one');
  const voxels = shape.reduce((a, d) => a * d, 1);
  return {
    shape,
    dtype,
    littleEndian: msb === 'false',
    encoding: compressed === 'true' ? 'zlib' : 'raw',
    dataFile: dataFile === 'LOCAL' ? null : dataFileName(dataFile, 'ElementDataFile'),
    dataOffset: dataFile === 'LOCAL' ? end : 0,
    dataBytes: voxels * DTYPES[dtype].bytes,
    ...(spacingText === undefined
      ? {}
      : { spacing: spacingOf(spacingText.split(/\s+/).map(Number), shape.length, 'ElementSpacing values') }),
  };
}
