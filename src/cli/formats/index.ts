// Reads a mask file by its name: .png, .nii / .nii.gz, .npy, and anything else as raw binary
// when a shape and dtype are given. Files are untrusted: only a regular file is opened (never a
// device or a FIFO: they would never end, or block), its header is read and checked first (a
// voxel limit, then the sizes it declares against the file's real size), and only then is the
// image read, into an array of exactly the size declared. A compressed NIfTI file is inflated as
// a stream and stopped at the size its header declares.
import { constants, type Stats } from 'node:fs';
import { constants as zlibConstants } from 'node:zlib';
import { open, type FileHandle } from 'node:fs/promises';
import { realpath } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute, sep } from 'node:path';
import * as zlib from 'node:zlib';
import { createGunzip, createInflate, createInflateRaw, gunzip, gunzipSync } from 'node:zlib';
import { readMetaHeader, readNrrdHeader, type TextHeader } from './headers.js';
import { bytesFor, checkSize, describeVoxels, inflatedNifti, niftiLayout, niftiVolume } from './memory.js';
import { NIFTI_PREFIX_BYTES, readNiftiHeader, type NiftiHeader } from './nifti.js';
import { NPY_PREFIX_BYTES, npyHeaderEnd, readNpyHeader, type NpyHeader } from './npy.js';
import {
  checkCrc,
  chooseNpzEntry,
  crc32,
  npzLayout,
  readZipDirectory,
  readZipEnd,
  ZIP_LOCAL_BYTES,
  ZIP_TAIL_BYTES,
  zipDataStart,
  type NpzLayout,
  type ZipEntry,
} from './npz.js';
import { DEFLATE_MAX_RATIO, PNG_PREFIX_BYTES, readPng, readPngHeader } from './png.js';
import { DTYPES, FileError, formatShape, voxelsOf, type Dtype, type Volume } from './volume.js';

export interface RawFormat {
  shape: readonly number[];
  dtype: Dtype;
}

export interface ReadOptions {
  /** The shape and dtype of raw binary files, or null when none are read. */
  raw: RawFormat | null;
  /** Images with more voxels are refused before they are read (--max-voxels). */
  maxVoxels: number;
  /**
   * Where the voxel bytes go (`bytes` of `dtype`, after the header is checked): eval passes
   * arrays from the kernel's alloc() so that the kernels read the voxels where they were decoded,
   * without a copy. The array must start at the beginning of its element (aligned for `dtype`).
   * Without it, a new array.
   */
  allocate?: (bytes: number, dtype: Dtype) => Uint8Array;
  /** The array of an .npz file to read (--npz-key); without it, the only one. */
  npzKey?: string | null;
}

const KNOWN_EXTENSIONS = ['.png', '.nii', '.nii.gz', '.npy', '.npz', '.nrrd', '.nhdr', '.mha', '.mhd'] as const;

export function isKnownFormat(name: string): boolean {
  const lower = name.toLowerCase();
  return KNOWN_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** The file's volume; a FileError (or the file system's error) says why it cannot be read. */
export async function readVolume(path: string, options: ReadOptions): Promise<Volume> {
  const lower = path.toLowerCase();
  const kind = lower.endsWith('.png')
    ? 'png'
    : lower.endsWith('.nii') || lower.endsWith('.nii.gz')
      ? 'nifti'
      : lower.endsWith('.npy')
        ? 'npy'
        : lower.endsWith('.npz')
          ? 'npz'
          : lower.endsWith('.nrrd') || lower.endsWith('.nhdr')
            ? 'nrrd'
            : lower.endsWith('.mha') || lower.endsWith('.mhd')
              ? 'meta'
              : options.raw !== null
                ? 'raw'
                : null;
  if (kind === null) {
    throw new FileError(
      'has no known extension (.png, .nii, .nii.gz, .npy, .npz, .nrrd, .nhdr, .mha, .mhd); ' +
        'raw binary needs --shape and --dtype',
    );
  }
  const { handle, size } = await openRegular(path);
  try {
    // The first block in one read: a small file (most masks of 2-D datasets) is read in one go.
    const file: OpenFile = { handle, head: new Uint8Array(0) };
    file.head = await readExactly(file, 0, Math.min(size, HEAD_BYTES), 'its first bytes');
    if (kind === 'png') return await readPngFile(file, size, options.maxVoxels);
    if (kind === 'nifti') return await readNiftiFile(file, size, options);
    if (kind === 'npy') return await readNpyFile(file, size, options);
    if (kind === 'npz') return await readNpzFile(file, size, options);
    if (kind === 'nrrd' || kind === 'meta') {
      const header = (kind === 'nrrd' ? readNrrdHeader : readMetaHeader)(file.head, options.maxVoxels);
      return await readTextHeaderFile(path, file, size, header, options);
    }
    return await readRawFile(file, size, options.raw as RawFormat, options);
  } finally {
    await handle.close();
  }
}

/** Opens a regular file; anything else (a device such as /dev/zero, a FIFO, a socket, a directory) is refused. */
async function openRegular(path: string): Promise<{ handle: FileHandle; size: number }> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FileError(`is not a regular file (${fileKind(stats)})`);
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/** The array the voxels are read or inflated into: from options.allocate, else a new one. */
function voxelBytes(options: ReadOptions, length: number, dtype: Dtype, what: string): Uint8Array {
  if (options.allocate === undefined) return bytesFor(length, what);
  try {
    return options.allocate(length, dtype);
  } catch {
    throw new FileError(`needs ${length} bytes of memory for ${what}, which could not be allocated`);
  }
}

/** Bytes read at once when a file is opened. */
const HEAD_BYTES = 1 << 16;

/** An open regular file and its first bytes (at most HEAD_BYTES). */
interface OpenFile {
  handle: FileHandle;
  head: Uint8Array;
}

/**
 * Exactly `length` bytes at `position`, in an array of their own (copied from the head when it
 * holds them), or in `into` when given.
 */
async function readExactly(
  file: OpenFile,
  position: number,
  length: number,
  what: string,
  into?: Uint8Array,
): Promise<Uint8Array> {
  const { handle, head } = file;
  if (position + length <= head.length) {
    if (into === undefined) return head.slice(position, position + length);
    into.set(head.subarray(position, position + length));
    return into;
  }
  const bytes = into ?? bytesFor(length, what);
  for (let done = 0; done < length; ) {
    // At most 1 GiB a read: a single read(2) moves at most about 2 GiB on Linux.
    const { bytesRead } = await handle.read(bytes, done, Math.min(length - done, 1 << 30), position + done);
    if (bytesRead === 0)
      throw new FileError(`ended while it was read (it holds fewer than ${position + length} bytes)`);
    done += bytesRead;
  }
  return bytes;
}

async function readPngFile(file: OpenFile, size: number, maxVoxels: number): Promise<Volume> {
  const prefix = await readExactly(file, 0, Math.min(size, PNG_PREFIX_BYTES), 'its header');
  const header = readPngHeader(prefix, maxVoxels);
  // Incompressible data grows by a few bytes per 64 KiB block; ancillary chunks are small.
  const largest = 2 * header.rawBytes + (16 << 20);
  if (size > largest) {
    throw new FileError(
      `is ${size} bytes, more than a PNG of ${header.height}×${header.width} pixels needs (at most ${largest})`,
    );
  }
  return readPng(await readExactly(file, 0, size, 'the file'), maxVoxels);
}

async function readNpyFile(file: OpenFile, size: number, options: ReadOptions): Promise<Volume> {
  const end = npyHeaderEnd(await readExactly(file, 0, Math.min(size, NPY_PREFIX_BYTES), 'its header'));
  if (end > size) throw new FileError(`is a truncated .npy file (${size} bytes; its header needs ${end})`);
  const header = readNpyHeader(await readExactly(file, 0, end, 'its header'), options.maxVoxels);
  const declared = describeVoxels(header.shape, header.dtype);
  checkSize(size, header.dataOffset, header.dataBytes, declared);
  const into = voxelBytes(options, header.dataBytes, header.dtype, declared);
  const data = await readExactly(file, header.dataOffset, header.dataBytes, declared, into);
  return { shape: header.shape, voxels: voxelsOf(data, header.dtype, header.littleEndian) };
}

async function readRawFile(file: OpenFile, size: number, raw: RawFormat, options: ReadOptions): Promise<Volume> {
  const count = raw.shape.reduce((a, d) => a * d, 1);
  const expected = count * DTYPES[raw.dtype].bytes;
  if (size !== expected) {
    throw new FileError(`has ${size} bytes; --shape ${formatShape(raw.shape)} of ${raw.dtype} needs ${expected}`);
  }
  const declared = describeVoxels(raw.shape, raw.dtype);
  const data = await readExactly(file, 0, size, declared, voxelBytes(options, size, raw.dtype, declared));
  return { shape: [...raw.shape], voxels: voxelsOf(data, raw.dtype, true) };
}

async function readNiftiFile(file: OpenFile, size: number, options: ReadOptions): Promise<Volume> {
  // Compressed or not by its first bytes (gzip's magic), whatever the extension says.
  const magic = await readExactly(file, 0, Math.min(size, 2), 'its header');
  const { header, data } =
    magic[0] === 0x1f && magic[1] === 0x8b
      ? await inflateNifti(file, size, options)
      : await readPlainNifti(file, size, options);
  return niftiVolume(header, data);
}

async function readPlainNifti(
  file: OpenFile,
  size: number,
  options: ReadOptions,
): Promise<{ header: NiftiHeader; data: Uint8Array }> {
  const header = readNiftiHeader(
    await readExactly(file, 0, Math.min(size, NIFTI_PREFIX_BYTES), 'its header'),
    options.maxVoxels,
  );
  const declared = describeVoxels(header.shape, header.dtype);
  checkSize(size, header.voxOffset, header.dataBytes, declared);
  const into = voxelBytes(options, header.dataBytes, header.dtype, declared);
  return { header, data: await readExactly(file, header.voxOffset, header.dataBytes, declared, into) };
}

/** A gzip-compressed NIfTI file, inflated as a stream (memory.ts's inflatedNifti). */
async function inflateNifti(
  file: OpenFile,
  size: number,
  options: ReadOptions,
): Promise<{ header: NiftiHeader; data: Uint8Array }> {
  const whole = await inflateNiftiInOneJob(file, size, options);
  if (whole !== null) return whole;
  const input = file.handle.createReadStream({ start: 0, autoClose: false });
  // 1 MiB chunks: a 256³ volume in 16 chunks, not 1024 (each copied into the voxels and checked).
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    return await inflatedNifti(gunzip as AsyncIterable<Buffer>, size, options.maxVoxels, (length, dtype, declared) =>
      voxelBytes(options, length, dtype, declared),
    );
  } finally {
    input.unpipe(gunzip);
    input.destroy();
    gunzip.destroy();
  }
}

/**
 * Compressed NIfTI files that inflate to at most this many bytes are inflated in one job
 * (inflateNiftiInOneJob), which holds the inflated file beside the voxels for a moment; larger
 * ones are streamed in 1 MiB chunks.
 */
const ONE_JOB_BYTES = 64 << 20;

/**
 * A gzip-compressed NIfTI file inflated in one job on libuv's threads (so that it overlaps the
 * kernels of the pair before it): the header from the first 4 KiB (which inflate to at most
 * 4 MiB), then the whole file into one buffer of the size it declares, stopped (by node:zlib's
 * maxOutputLength) as soon as it passes it. Null where the streaming path is taken instead: a
 * large file, a header beyond the first 4 KiB, a stream that is not plain gzip (whose error the
 * streaming path then reports).
 */
async function inflateNiftiInOneJob(
  file: OpenFile,
  size: number,
  options: ReadOptions,
): Promise<{ header: NiftiHeader; data: Uint8Array } | null> {
  if (size > ONE_JOB_BYTES) return null;
  let start: Buffer;
  try {
    start = gunzipSync(file.head.subarray(0, Math.min(size, 4096)), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return null;
  }
  if (start.length < NIFTI_PREFIX_BYTES) return null;
  const { header, end, declared } = niftiLayout(start, size, options.maxVoxels);
  if (end > ONE_JOB_BYTES) return null;
  const compressed = await readExactly(file, 0, size, 'the file');
  let inflated: Buffer;
  try {
    inflated = await new Promise<Buffer>((resolve, reject) =>
      gunzip(compressed, { chunkSize: Math.max(end + 1, 64), maxOutputLength: end }, (error, out) =>
        error === null ? resolve(out) : reject(error),
      ),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') return null;
    throw new FileError(
      `inflates to more than the ${end} bytes its header declares (${declared}); inflating was stopped there`,
    );
  }
  if (inflated.length < end) {
    throw new FileError(`inflates to ${inflated.length} bytes; its header declares ${declared}, which need ${end}`);
  }
  const data = voxelBytes(options, header.dataBytes, header.dtype, declared);
  data.set(inflated.subarray(header.voxOffset, end));
  return { header, data };
}

/**
 * The voxels of an NRRD or MetaImage file: after its header (attached) or in the data file it
 * names beside it (detached; followed only to a regular file inside the header's directory),
 * raw (exactly the size declared) or compressed (inflated, stopped at the size declared).
 */
async function readTextHeaderFile(
  path: string,
  file: OpenFile,
  size: number,
  header: TextHeader,
  options: ReadOptions,
): Promise<Volume> {
  const declared = describeVoxels(header.shape, header.dtype);
  const volume = (data: Uint8Array): Volume => ({
    shape: header.shape,
    voxels: voxelsOf(data, header.dtype, header.littleEndian),
    firstAxisFastest: true,
    ...(header.spacing === undefined ? {} : { spacing: header.spacing }),
  });
  if (header.dataFile === null) {
    if (header.encoding === 'raw') {
      checkSize(size, header.dataOffset, header.dataBytes, declared);
      const into = voxelBytes(options, header.dataBytes, header.dtype, declared);
      return volume(await readExactly(file, header.dataOffset, header.dataBytes, declared, into));
    }
    return volume(await inflateBounded(file.handle, header.dataOffset, size, header, declared, options));
  }
  const directory = await realpath(dirname(path));
  let target: string;
  try {
    target = await realpath(join(dirname(path), header.dataFile));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(`names its data file ${header.dataFile}, which cannot be read${code ? ` (${code})` : ''}`);
  }
  const rel = relative(directory, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new FileError(
      `names its data file ${header.dataFile}, a link to ${target}, outside its directory: not followed`,
    );
  }
  const data = await openRegular(target).catch((error: unknown) => {
    if (error instanceof FileError)
      throw new FileError(`names its data file ${header.dataFile}, which ${error.message}`);
    throw error;
  });
  try {
    const dataFile: OpenFile = { handle: data.handle, head: new Uint8Array(0) };
    if (header.encoding === 'raw') {
      if (data.size !== header.dataBytes) {
        throw new FileError(
          `names its data file ${header.dataFile}, which holds ${data.size} bytes; ` +
            `its header declares ${declared}, which need ${header.dataBytes}`,
        );
      }
      const into = voxelBytes(options, header.dataBytes, header.dtype, declared);
      return volume(await readExactly(dataFile, 0, header.dataBytes, declared, into));
    }
    return volume(await inflateBounded(data.handle, 0, data.size, header, declared, options));
  } finally {
    await data.handle.close();
  }
}

/**
 * A gzip (NRRD) or zlib (MetaImage) stream from `start` to the end of the file, inflated into an
 * array of exactly the size declared: refused before when the compressed bytes could not hold it,
 * stopped as soon as the stream passes it.
 */
async function inflateBounded(
  handle: FileHandle,
  start: number,
  size: number,
  header: TextHeader,
  declared: string,
  options: ReadOptions,
): Promise<Uint8Array> {
  const compressed = size - start;
  if (header.dataBytes > DEFLATE_MAX_RATIO * compressed + 65536) {
    throw new FileError(
      `declares ${declared} (${header.dataBytes} bytes), which its ${compressed} compressed bytes cannot hold ` +
        `(deflate inflates at most ${DEFLATE_MAX_RATIO}:1)`,
    );
  }
  const data = voxelBytes(options, header.dataBytes, header.dtype, declared);
  const input = handle.createReadStream({ start, autoClose: false });
  const inflate =
    header.encoding === 'gzip' ? createGunzip({ chunkSize: 1 << 20 }) : createInflate({ chunkSize: 1 << 20 });
  input.on('error', (error) => inflate.destroy(error));
  input.pipe(inflate);
  let inflated = 0;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      if (inflated + chunk.length > data.length) {
        throw new FileError(
          `inflates to more than the ${data.length} bytes its header declares (${declared}); ` +
            'inflating was stopped there',
        );
      }
      data.set(chunk, inflated);
      inflated += chunk.length;
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(
      `holds data that is not a readable ${header.encoding} stream ` +
        `(${error instanceof Error ? error.message : String(error)})`,
    );
  } finally {
    input.unpipe(inflate);
    input.destroy();
    inflate.destroy();
  }
  if (inflated < data.length) {
    throw new FileError(`inflates to ${inflated} bytes; its header declares ${declared}, which need ${data.length}`);
  }
  return data;
}

/** node:zlib's CRC-32 (Node ≥ 20.15), else the one in npz.ts. */
const crcOf: (bytes: Uint8Array, crc: number) => number =
  (zlib as { crc32?: (bytes: Uint8Array, crc: number) => number }).crc32 ?? crc32;

/**
 * An .npz file: the zip's end record and central directory (checked against the file's size),
 * the array chosen (options.npzKey), its local header, then the .npy inside: stored (read as a
 * .npy file is) or deflated (inflated as a stream, stopped at the size the directory declares).
 * The .npy header is checked against --max-voxels and the entry's declared size before the
 * voxels are allocated; the CRC-32 is checked at the end.
 */
async function readNpzFile(file: OpenFile, size: number, options: ReadOptions): Promise<Volume> {
  const tailStart = Math.max(0, size - ZIP_TAIL_BYTES);
  const end = readZipEnd(await readExactly(file, tailStart, size - tailStart, 'its end'), tailStart, size);
  const directory = await readExactly(file, end.directoryOffset, end.directoryBytes, 'its central directory');
  const entry = chooseNpzEntry(readZipDirectory(directory, end), options.npzKey ?? null);
  const start = zipDataStart(
    await readExactly(file, entry.localOffset, ZIP_LOCAL_BYTES, 'a local header'),
    entry,
    end.directoryOffset,
  );
  const where = `the array '${entry.name}'`;
  const layout = npzLayout(entry, options.maxVoxels);
  const parse = (bytes: Uint8Array): { header: NpyHeader; data: Uint8Array } => {
    const header = layout.parse(bytes);
    return {
      header,
      data: voxelBytes(options, header.dataBytes, header.dtype, describeVoxels(header.shape, header.dtype)),
    };
  };
  let read: { header: NpyHeader; data: Uint8Array };
  if (entry.method === 0) {
    const prefix = await readExactly(file, start, Math.min(entry.bytes, NPY_PREFIX_BYTES), 'its .npy header');
    const headerEnd = npyHeaderEnd(prefix);
    if (headerEnd > entry.bytes)
      throw new FileError(`holds ${where}, a truncated .npy (its header needs ${headerEnd})`);
    const headerBytes = await readExactly(file, start, headerEnd, 'its .npy header');
    read = parse(headerBytes);
    const { header, data } = read;
    await readExactly(file, start + headerEnd, header.dataBytes, describeVoxels(header.shape, header.dtype), data);
    checkCrc(entry, crcOf(data, crcOf(headerBytes, 0)));
  } else {
    read = await inflateNpz(file, start, entry, where, layout, parse);
  }
  return { shape: read.header.shape, voxels: voxelsOf(read.data, read.header.dtype, read.header.littleEndian) };
}

/** A deflated .npy entry, inflated as a stream into the voxels: stopped as soon as it passes `entry.bytes`. */
async function inflateNpz(
  file: OpenFile,
  start: number,
  entry: ZipEntry,
  where: string,
  layout: NpzLayout,
  parse: (header: Uint8Array) => { header: NpyHeader; data: Uint8Array },
): Promise<{ header: NpyHeader; data: Uint8Array }> {
  const input = file.handle.createReadStream({
    start,
    end: start + entry.compressedBytes - 1,
    autoClose: false,
  });
  const inflate = createInflateRaw({ chunkSize: 1 << 20 });
  input.on('error', (error) => inflate.destroy(error));
  if (entry.compressedBytes === 0) inflate.end();
  else input.pipe(inflate);
  // The .npy header is gathered first (at most NPY_PREFIX_BYTES + NPY_MAX_HEADER bytes).
  let head = new Uint8Array(0);
  let read: { header: NpyHeader; data: Uint8Array } | null = null;
  let inflated = 0,
    crc = 0;
  const take = (bytes: Uint8Array, at: number): void => {
    const { header, data } = read as NonNullable<typeof read>;
    const lo = Math.max(at, header.dataOffset);
    if (at + bytes.length > lo) data.set(bytes.subarray(lo - at), lo - header.dataOffset);
  };
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      const from = inflated;
      inflated += chunk.length;
      layout.checkInflated(inflated);
      crc = crcOf(chunk, crc);
      if (read !== null) {
        take(chunk, from);
        continue;
      }
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      if (head.length < NPY_PREFIX_BYTES) continue;
      const headerEnd = npyHeaderEnd(head);
      if (head.length < headerEnd) continue;
      read = parse(head.subarray(0, headerEnd));
      take(head, 0);
      head = new Uint8Array(0);
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(
      `holds ${where}, which is not a readable deflate stream ` +
        `(${error instanceof Error ? error.message : String(error)})`,
    );
  } finally {
    input.unpipe(inflate);
    input.destroy();
    inflate.destroy();
  }
  if (read === null) {
    // Shorter than a whole .npy header: the header's own checks say what is missing.
    npyHeaderEnd(head);
    throw new FileError(`holds ${where}, a truncated .npy (${inflated} bytes inflated)`);
  }
  layout.checkComplete(inflated);
  checkCrc(entry, crc);
  return read;
}
