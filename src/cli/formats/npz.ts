// NumPy .npz files: a zip archive of .npy arrays (np.savez stores them, np.savez_compressed
// deflates them; both write zip64 fields for an array of 4 GiB or more). Parsed here from the
// archive's own bytes, without node: modules (the reader in index.ts does the I/O and the
// inflating): the end-of-central-directory record (zip64 too), the central directory, one local
// header. Every offset and size is checked against the file's size before anything is read or
// allocated; an entry is stored (method 0) or deflated (method 8), never encrypted. Its CRC-32 is
// checked after reading, as np.load's zipfile does (a file it refuses is refused here too).
// Specification: PKWARE's APPNOTE.TXT (sections 4.3 and 4.5).
import { Inflate } from 'fflate';
import { quote } from '../../core/errors.js';
import { NPY_PREFIX_BYTES, npyHeaderEnd, readNpyHeader, type NpyHeader } from './npy.js';
import { DEFLATE_MAX_RATIO } from './png.js';
import { FileError, formatShape, voxelsOf, type Volume } from './volume.js';

/** Bytes at the end of a file that hold the end record (22, a comment of up to 65535, the zip64 locator and record). */
export const ZIP_TAIL_BYTES = 22 + 65535 + 20 + 56;
/** Bytes of a local file header before its name and extra field. */
export const ZIP_LOCAL_BYTES = 30;
/** Central directories larger than this are refused (65535 entries with names of 200 bytes fit). */
const MAX_DIRECTORY_BYTES = 16 << 20;

const EOCD = 0x06054b50,
  ZIP64_LOCATOR = 0x07064b50,
  ZIP64_EOCD = 0x06064b50,
  CENTRAL = 0x02014b50,
  LOCAL = 0x04034b50;

export interface ZipEnd {
  /** Where the central directory starts and how many bytes it has. */
  directoryOffset: number;
  directoryBytes: number;
  entries: number;
}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  crc: number;
  compressedBytes: number;
  /** The entry's declared size once inflated. */
  bytes: number;
  localOffset: number;
}

/**
 * The end record of a zip file of `size` bytes, from its last bytes `tail` (which start at
 * `tailStart` in the file), checked: one disk, a central directory inside the file before the end record.
 */
export function readZipEnd(tail: Uint8Array, tailStart: number, size: number): ZipEnd {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.length);
  let at = -1;
  // The record is 22 bytes and its comment ends the file: the last signature whose comment fits.
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD && i + 22 + view.getUint16(i + 20, true) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new FileError('is not a zip file (.npz): no end of central directory record');
  const disk = view.getUint16(at + 4, true),
    directoryDisk = view.getUint16(at + 6, true);
  let entries = view.getUint16(at + 10, true);
  let directoryBytes = view.getUint32(at + 12, true);
  let directoryOffset = view.getUint32(at + 16, true);
  let directoryEnd = tailStart + at;
  if (entries === 0xffff || directoryBytes === 0xffffffff || directoryOffset === 0xffffffff) {
    // Zip64: the locator just before the end record gives where the zip64 end record is.
    const locator = at - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) {
      throw new FileError('is a zip64 file (.npz) without its zip64 end locator');
    }
    const recordAt = safe(view.getBigUint64(locator + 8, true)) - tailStart;
    if (recordAt < 0 || recordAt + 56 > locator || view.getUint32(recordAt, true) !== ZIP64_EOCD) {
      throw new FileError('is a zip64 file (.npz) whose zip64 end record is not where its locator says');
    }
    entries = safe(view.getBigUint64(recordAt + 32, true));
    directoryBytes = safe(view.getBigUint64(recordAt + 40, true));
    directoryOffset = safe(view.getBigUint64(recordAt + 48, true));
    directoryEnd = tailStart + recordAt;
  }
  if (disk !== 0 || directoryDisk !== 0) throw new FileError('is a zip file (.npz) split over several disks');
  if (directoryOffset + directoryBytes > directoryEnd || directoryEnd > size) {
    throw new FileError(
      `is a zip file (.npz) whose central directory (${directoryBytes} bytes at ${directoryOffset}) ` +
        `is not inside its ${size} bytes`,
    );
  }
  if (directoryBytes > MAX_DIRECTORY_BYTES || entries > directoryBytes / 46) {
    throw new FileError(
      `is a zip file (.npz) that declares ${entries} entries in a central directory of ${directoryBytes} bytes`,
    );
  }
  return { directoryOffset, directoryBytes, entries };
}

/** A 64-bit size or offset, refused beyond 2^53 (no file is that large). */
function safe(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new FileError(`is a zip file (.npz) with a size of ${value}`);
  return Number(value);
}

/** The entries of the central directory `bytes`, checked against `end` (their data before the directory). */
export function readZipDirectory(bytes: Uint8Array, end: ZipEnd): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < end.entries; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) {
      throw new FileError(
        `is a zip file (.npz) whose central directory ends before its entry ${n + 1} of ${end.entries}`,
      );
    }
    const flags = view.getUint16(at + 8, true),
      method = view.getUint16(at + 10, true);
    const nameBytes = view.getUint16(at + 28, true),
      extraBytes = view.getUint16(at + 30, true),
      commentBytes = view.getUint16(at + 32, true);
    const next = at + 46 + nameBytes + extraBytes + commentBytes;
    if (next > bytes.length) throw new FileError('is a zip file (.npz) whose central directory is truncated');
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameBytes));
    let compressedBytes = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    let localOffset = view.getUint32(at + 42, true);
    // Zip64 extended information (extra field 1): the fields that read 0xffffffff, in this order.
    for (let x = at + 46 + nameBytes; x + 4 <= at + 46 + nameBytes + extraBytes; ) {
      const id = view.getUint16(x, true),
        length = view.getUint16(x + 2, true);
      if (x + 4 + length > at + 46 + nameBytes + extraBytes) break;
      if (id === 1) {
        let f = x + 4;
        const field = (): number => {
          if (f + 8 > x + 4 + length) throw new FileError(`has a zip64 field of entry '${quote(name, 80)}' too short`);
          const value = safe(view.getBigUint64(f, true));
          f += 8;
          return value;
        };
        if (size === 0xffffffff) size = field();
        if (compressedBytes === 0xffffffff) compressedBytes = field();
        if (localOffset === 0xffffffff) localOffset = field();
      }
      x += 4 + length;
    }
    if (flags & 1) throw new FileError(`holds the encrypted entry '${quote(name, 80)}'; np.load reads none`);
    if (method !== 0 && method !== 8) {
      throw new FileError(
        `holds the entry '${quote(name, 80)}' compressed by method ${method}; readable: stored, deflate`,
      );
    }
    if (localOffset + ZIP_LOCAL_BYTES + compressedBytes > end.directoryOffset) {
      throw new FileError(
        `holds the entry '${quote(name, 80)}' of ${compressedBytes} bytes at ${localOffset}, which is not inside ` +
          `the file before its central directory (${end.directoryOffset} bytes)`,
      );
    }
    if (method === 0 && compressedBytes !== size) {
      throw new FileError(`holds the stored entry '${quote(name, 80)}' of ${compressedBytes} bytes declared ${size}`);
    }
    entries.push({ name, method, crc: view.getUint32(at + 16, true), compressedBytes, bytes: size, localOffset });
    at = next;
  }
  return entries;
}

/** The keys of np.load's NpzFile: the names without '.npy'. */
const keyOf = (entry: ZipEntry): string => entry.name.replace(/\.npy$/, '');

/**
 * The array an .npz file is read for: the one named `key` (np.load(file)[key]: 'key.npy' in the
 * archive), or the only one when no key is given.
 */
export function chooseNpzEntry(entries: readonly ZipEntry[], key: string | null): ZipEntry {
  const arrays = entries.filter((e) => !e.name.endsWith('/'));
  const keys = (): string =>
    arrays
      .slice(0, 10)
      .map((e) => `'${quote(keyOf(e), 40)}'`)
      .join(', ') + (arrays.length > 10 ? `, … (${arrays.length} in all)` : '');
  if (key === null) {
    if (arrays.length === 1) return arrays[0];
    if (arrays.length === 0) throw new FileError('is an .npz file that holds no array');
    throw new FileError(`is an .npz file of ${arrays.length} arrays (${keys()}); choose one with --npz-key NAME`);
  }
  const found = arrays.find((e) => e.name === `${key}.npy`) ?? arrays.find((e) => e.name === key);
  if (found === undefined) {
    throw new FileError(`is an .npz file without the array '${quote(key, 40)}' (--npz-key); it holds ${keys()}`);
  }
  return found;
}

/** Where the entry's data starts, from its local header's first ZIP_LOCAL_BYTES bytes; it must end before `limit`. */
export function zipDataStart(local: Uint8Array, entry: ZipEntry, limit: number): number {
  const view = new DataView(local.buffer, local.byteOffset, local.length);
  if (local.length < ZIP_LOCAL_BYTES || view.getUint32(0, true) !== LOCAL) {
    throw new FileError(`has no local header for the entry '${quote(entry.name, 80)}' where its directory says`);
  }
  const start = entry.localOffset + ZIP_LOCAL_BYTES + view.getUint16(26, true) + view.getUint16(28, true);
  if (start + entry.compressedBytes > limit) {
    throw new FileError(
      `holds the entry '${quote(entry.name, 80)}' whose ${entry.compressedBytes} bytes end past its central directory`,
    );
  }
  return start;
}

/** CRC-32 (the zip and gzip polynomial 0xedb88320) of `bytes`, continued from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const table = CRC_TABLE ?? makeTable();
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

let CRC_TABLE: Uint32Array | null = null;
function makeTable(): Uint32Array {
  CRC_TABLE = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    CRC_TABLE[n] = c >>> 0;
  }
  return CRC_TABLE;
}

/** The entry's CRC-32 against the one its directory declares. */
export function checkCrc(entry: ZipEntry, crc: number): void {
  if (crc !== entry.crc) {
    throw new FileError(
      `holds the entry '${quote(entry.name, 80)}' whose CRC-32 is ${hex(crc)}, not the ${hex(entry.crc)} declared ` +
        '(a damaged file; np.load refuses it too)',
    );
  }
}

/** The checks of an entry's .npy against the sizes its directory declares, as it is inflated. */
export interface NpzLayout {
  /** The .npy header, checked: --max-voxels, its size against the entry's, and what the compressed bytes can hold. */
  parse(headerBytes: Uint8Array): NpyHeader;
  /** Refuses a stream that has inflated past the declared size (inflating stops there). */
  checkInflated(inflated: number): void;
  /** Refuses a stream that ended short of the declared size. */
  checkComplete(inflated: number): void;
}

export function npzLayout(entry: ZipEntry, maxVoxels: number): NpzLayout {
  const where = `the array '${quote(entry.name, 80)}'`;
  return {
    parse(headerBytes) {
      const header = readNpyHeader(headerBytes, maxVoxels);
      if (header.dataOffset + header.dataBytes !== entry.bytes) {
        throw new FileError(
          `holds ${where} of ${entry.bytes} bytes; its .npy header declares ${formatShape(header.shape)} ` +
            `${header.dtype} voxels, which need ${header.dataOffset + header.dataBytes}`,
        );
      }
      if (entry.method === 8 && entry.bytes > DEFLATE_MAX_RATIO * entry.compressedBytes + 65536) {
        throw new FileError(
          `holds ${where}, which declares ${entry.bytes} bytes that its ${entry.compressedBytes} compressed bytes ` +
            `cannot hold (deflate inflates at most ${DEFLATE_MAX_RATIO}:1)`,
        );
      }
      return header;
    },
    checkInflated(inflated) {
      if (inflated > entry.bytes) {
        throw new FileError(
          `holds ${where}, which inflates to more than the ${entry.bytes} bytes its directory declares; ` +
            'inflating was stopped there',
        );
      }
    },
    checkComplete(inflated) {
      if (inflated < entry.bytes) {
        throw new FileError(
          `holds ${where}, which inflates to ${inflated} bytes; its directory declares ${entry.bytes}`,
        );
      }
    },
  };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Compressed bytes handed to the JavaScript inflate at a time: what it inflates past a declared
 * size is at most 1032 times this.
 */
const PUSH_BYTES = 16 << 10;

/**
 * An .npz file held in memory (a browser's File, a fetch): the same checks as the CLI's reader,
 * inflated by JavaScript (fflate, which fast-png's PNG reader already brings) instead of node:zlib.
 * `npzKey` chooses the array as --npz-key does.
 */
export function readNpz(bytes: Uint8Array, options: { maxVoxels: number; npzKey?: string | null }): Volume {
  const size = bytes.length;
  const tailStart = Math.max(0, size - ZIP_TAIL_BYTES);
  const end = readZipEnd(bytes.subarray(tailStart), tailStart, size);
  const directory = bytes.subarray(end.directoryOffset, end.directoryOffset + end.directoryBytes);
  const entry = chooseNpzEntry(readZipDirectory(directory, end), options.npzKey ?? null);
  const start = zipDataStart(
    bytes.subarray(entry.localOffset, entry.localOffset + ZIP_LOCAL_BYTES),
    entry,
    end.directoryOffset,
  );
  const compressed = bytes.subarray(start, start + entry.compressedBytes);
  const layout = npzLayout(entry, options.maxVoxels);
  let header: NpyHeader | null = null;
  let data = new Uint8Array(0);
  let head = new Uint8Array(0);
  let inflated = 0;
  let crc = 0;
  const take = (chunk: Uint8Array): void => {
    const from = inflated;
    inflated += chunk.length;
    layout.checkInflated(inflated);
    crc = crc32(chunk, crc);
    if (header === null) {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      if (head.length < NPY_PREFIX_BYTES || head.length < npyHeaderEnd(head)) return;
      header = layout.parse(head.subarray(0, npyHeaderEnd(head)));
      data = new Uint8Array(header.dataBytes);
      data.set(head.subarray(header.dataOffset));
      head = new Uint8Array(0);
      return;
    }
    data.set(chunk, from - header.dataOffset);
  };
  if (entry.method === 0) take(compressed);
  else {
    const inflate = new Inflate((chunk) => take(chunk));
    try {
      for (let at = 0; at < compressed.length || at === 0; at += PUSH_BYTES) {
        inflate.push(compressed.subarray(at, at + PUSH_BYTES), at + PUSH_BYTES >= compressed.length);
      }
    } catch (error) {
      if (error instanceof FileError) throw error;
      throw new FileError(
        `holds the array '${entry.name}', which is not a readable deflate stream ` +
          `(${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  if (header === null) {
    npyHeaderEnd(head);
    throw new FileError(`holds the array '${entry.name}', a truncated .npy (${inflated} bytes inflated)`);
  }
  layout.checkComplete(inflated);
  checkCrc(entry, crc);
  const h = header as NpyHeader;
  return { shape: h.shape, voxels: voxelsOf(data, h.dtype, h.littleEndian) };
}
