// Reads a mask file by its name: .png, .nii / .nii.gz, .npy, and anything else as raw binary
// when a shape and dtype are given. Files are untrusted: only a regular file is opened (never a
// device or a FIFO: they would never end, or block), its header is read and checked first (a
// voxel limit, then the sizes it declares against the file's real size), and only then is the
// image read, into an array of exactly the size declared. A compressed NIfTI file is inflated as
// a stream and stopped at the size its header declares.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { realpath } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute, sep } from 'node:path';
import { createGunzip, createInflate } from 'node:zlib';
import { readMetaHeader, readNrrdHeader, type TextHeader } from './headers.js';
import { bytesFor, checkSize, describeVoxels, inflatedNifti, niftiVolume } from './memory.js';
import { NIFTI_PREFIX_BYTES, readNiftiHeader, type NiftiHeader } from './nifti.js';
import { NPY_PREFIX_BYTES, npyHeaderEnd, readNpyHeader } from './npy.js';
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
}

const KNOWN_EXTENSIONS = ['.png', '.nii', '.nii.gz', '.npy', '.nrrd', '.nhdr', '.mha', '.mhd'] as const;

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
        : lower.endsWith('.nrrd') || lower.endsWith('.nhdr')
          ? 'nrrd'
          : lower.endsWith('.mha') || lower.endsWith('.mhd')
            ? 'meta'
            : options.raw !== null
              ? 'raw'
              : null;
  if (kind === null) {
    throw new FileError(
      'has no known extension (.png, .nii, .nii.gz, .npy, .nrrd, .nhdr, .mha, .mhd); ' +
        'raw binary needs --shape and --dtype',
    );
  }
  const { handle, size } = await openRegular(path);
  try {
    // The first block in one read: a small file (most masks of 2-D datasets) is read in one go.
    const file: OpenFile = { handle, head: new Uint8Array(0) };
    file.head = await readExactly(file, 0, Math.min(size, HEAD_BYTES), 'its first bytes');
    if (kind === 'png') return await readPngFile(file, size, options.maxVoxels);
    if (kind === 'nifti') return await readNiftiFile(file, size, options.maxVoxels);
    if (kind === 'npy') return await readNpyFile(file, size, options.maxVoxels);
    if (kind === 'nrrd' || kind === 'meta') {
      const header = (kind === 'nrrd' ? readNrrdHeader : readMetaHeader)(file.head, options.maxVoxels);
      return await readTextHeaderFile(path, file, size, header);
    }
    return await readRawFile(file, size, options.raw as RawFormat);
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

/** Bytes read at once when a file is opened. */
const HEAD_BYTES = 1 << 16;

/** An open regular file and its first bytes (at most HEAD_BYTES). */
interface OpenFile {
  handle: FileHandle;
  head: Uint8Array;
}

/** Exactly `length` bytes at `position`, in an array of their own (copied from the head when it holds them). */
async function readExactly(file: OpenFile, position: number, length: number, what: string): Promise<Uint8Array> {
  const { handle, head } = file;
  if (position + length <= head.length) return head.slice(position, position + length);
  const bytes = bytesFor(length, what);
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

async function readNpyFile(file: OpenFile, size: number, maxVoxels: number): Promise<Volume> {
  const end = npyHeaderEnd(await readExactly(file, 0, Math.min(size, NPY_PREFIX_BYTES), 'its header'));
  if (end > size) throw new FileError(`is a truncated .npy file (${size} bytes; its header needs ${end})`);
  const header = readNpyHeader(await readExactly(file, 0, end, 'its header'), maxVoxels);
  const declared = describeVoxels(header.shape, header.dtype);
  checkSize(size, header.dataOffset, header.dataBytes, declared);
  const data = await readExactly(file, header.dataOffset, header.dataBytes, declared);
  return { shape: header.shape, voxels: voxelsOf(data, header.dtype, header.littleEndian) };
}

async function readRawFile(file: OpenFile, size: number, raw: RawFormat): Promise<Volume> {
  const count = raw.shape.reduce((a, d) => a * d, 1);
  const expected = count * DTYPES[raw.dtype].bytes;
  if (size !== expected) {
    throw new FileError(`has ${size} bytes; --shape ${formatShape(raw.shape)} of ${raw.dtype} needs ${expected}`);
  }
  const data = await readExactly(file, 0, size, describeVoxels(raw.shape, raw.dtype));
  return { shape: [...raw.shape], voxels: voxelsOf(data, raw.dtype, true) };
}

async function readNiftiFile(file: OpenFile, size: number, maxVoxels: number): Promise<Volume> {
  // Compressed or not by its first bytes (gzip's magic), whatever the extension says.
  const magic = await readExactly(file, 0, Math.min(size, 2), 'its header');
  const { header, data } =
    magic[0] === 0x1f && magic[1] === 0x8b
      ? await inflateNifti(file, size, maxVoxels)
      : await readPlainNifti(file, size, maxVoxels);
  return niftiVolume(header, data);
}

async function readPlainNifti(
  file: OpenFile,
  size: number,
  maxVoxels: number,
): Promise<{ header: NiftiHeader; data: Uint8Array }> {
  const header = readNiftiHeader(
    await readExactly(file, 0, Math.min(size, NIFTI_PREFIX_BYTES), 'its header'),
    maxVoxels,
  );
  const declared = describeVoxels(header.shape, header.dtype);
  checkSize(size, header.voxOffset, header.dataBytes, declared);
  return { header, data: await readExactly(file, header.voxOffset, header.dataBytes, declared) };
}

/** A gzip-compressed NIfTI file, inflated as a stream (memory.ts's inflatedNifti). */
async function inflateNifti(
  file: OpenFile,
  size: number,
  maxVoxels: number,
): Promise<{ header: NiftiHeader; data: Uint8Array }> {
  const input = file.handle.createReadStream({ start: 0, autoClose: false });
  // 1 MiB chunks: a 256³ volume in 16 chunks, not 1024 (each copied into the voxels and checked).
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    return await inflatedNifti(gunzip as AsyncIterable<Buffer>, size, maxVoxels);
  } finally {
    input.unpipe(gunzip);
    input.destroy();
    gunzip.destroy();
  }
}

/**
 * The voxels of an NRRD or MetaImage file: after its header (attached) or in the data file it
 * names beside it (detached; followed only to a regular file inside the header's directory),
 * raw (exactly the size declared) or compressed (inflated, stopped at the size declared).
 */
async function readTextHeaderFile(path: string, file: OpenFile, size: number, header: TextHeader): Promise<Volume> {
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
      return volume(await readExactly(file, header.dataOffset, header.dataBytes, declared));
    }
    return volume(await inflateBounded(file.handle, header.dataOffset, size, header, declared));
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
      return volume(await readExactly(dataFile, 0, header.dataBytes, declared));
    }
    return volume(await inflateBounded(data.handle, 0, data.size, header, declared));
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
): Promise<Uint8Array> {
  const compressed = size - start;
  if (header.dataBytes > DEFLATE_MAX_RATIO * compressed + 65536) {
    throw new FileError(
      `declares ${declared} (${header.dataBytes} bytes), which its ${compressed} compressed bytes cannot hold ` +
        `(deflate inflates at most ${DEFLATE_MAX_RATIO}:1)`,
    );
  }
  const data = bytesFor(header.dataBytes, declared);
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
