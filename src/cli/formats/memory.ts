// Mask files held in memory, without a file system (the demo page reads dropped files with it):
// PNG, NIfTI (.nii, and .nii.gz through the caller's gunzip stream) and .npy, with the same header
// checks as the CLI's file readers (index.ts), which share the size check and the bounded NIfTI
// inflation below.
import { applyScaling, NIFTI_PREFIX_BYTES, readNiftiHeader, type NiftiHeader } from './nifti.js';
import { readNpyHeader } from './npy.js';
import { DEFLATE_MAX_RATIO, readPng } from './png.js';
import { FileError, formatShape, voxelsOf, type Dtype, type Volume } from './volume.js';

/** The file's size against what its header declares: exactly `offset` + `dataBytes`. */
export function checkSize(size: number, offset: number, dataBytes: number, declared: string): void {
  if (size < offset + dataBytes) {
    throw new FileError(
      `holds ${Math.max(size - offset, 0)} bytes of voxel data; its header declares ${declared}, ` +
        `which need ${dataBytes}`,
    );
  }
  if (size > offset + dataBytes) {
    throw new FileError(
      `holds ${size - offset - dataBytes} bytes more than its header declares (${declared}: ` +
        `${offset + dataBytes} bytes in all)`,
    );
  }
}

export function describeVoxels(shape: readonly number[], dtype: Dtype): string {
  return `${formatShape(shape)} ${dtype} voxels`;
}

/** A new array of `length` bytes, or a FileError when the memory cannot be had. */
export function bytesFor(length: number, what: string): Uint8Array {
  try {
    return new Uint8Array(length);
  } catch {
    throw new FileError(`needs ${length} bytes of memory for ${what}, which could not be allocated`);
  }
}

/**
 * A compressed NIfTI's header, checked, and where its voxels end once inflated (refused when its
 * `size` compressed bytes cannot hold them).
 */
export function niftiLayout(
  bytes: Uint8Array,
  size: number,
  maxVoxels: number,
): { header: NiftiHeader; end: number; declared: string } {
  const header = readNiftiHeader(bytes, maxVoxels);
  const end = header.voxOffset + header.dataBytes;
  const declared = describeVoxels(header.shape, header.dtype);
  if (end > DEFLATE_MAX_RATIO * size + 65536) {
    throw new FileError(
      `declares ${declared} (${end} bytes), which its ${size} compressed bytes cannot hold ` +
        `(deflate inflates at most ${DEFLATE_MAX_RATIO}:1)`,
    );
  }
  return { header, end, declared };
}

/**
 * A gzip-compressed NIfTI file from its inflated `chunks` (`size`: the compressed bytes): the
 * header first (checked, and its declared size against what the compressed bytes can hold), then
 * the voxels into an array of exactly their size; it stops as soon as the stream goes past the
 * size declared. An error of the stream itself is a FileError "is not a readable gzip file".
 * `allocate` gives the array the voxels are inflated into (by default a new one).
 */
export async function inflatedNifti(
  chunks: AsyncIterable<Uint8Array>,
  size: number,
  maxVoxels: number,
  allocate: (length: number, dtype: Dtype, declared: string) => Uint8Array = (length, _dtype, declared) =>
    bytesFor(length, declared),
): Promise<{ header: NiftiHeader; data: Uint8Array }> {
  const prefix = new Uint8Array(NIFTI_PREFIX_BYTES);
  let inflated = 0;
  let read: { header: NiftiHeader; data: Uint8Array; end: number } | null = null;
  const parse = (bytes: Uint8Array): { header: NiftiHeader; data: Uint8Array; end: number } => {
    const { header, end, declared } = niftiLayout(bytes, size, maxVoxels);
    return { header, data: allocate(header.dataBytes, header.dtype, declared), end };
  };
  /** Copies what `bytes`, found at `at` in the inflated stream, hold of the voxels. */
  const take = (bytes: Uint8Array, at: number): void => {
    const { header, data, end } = read as NonNullable<typeof read>;
    if (at + bytes.length > end) {
      throw new FileError(
        `inflates to more than the ${end} bytes its header declares ` +
          `(${describeVoxels(header.shape, header.dtype)}); inflating was stopped there`,
      );
    }
    const lo = Math.max(header.voxOffset, at);
    if (at + bytes.length > lo) data.set(bytes.subarray(lo - at), lo - header.voxOffset);
  };
  try {
    for await (const chunk of chunks) {
      const from = inflated;
      inflated += chunk.length;
      if (read !== null) {
        take(chunk, from);
        continue;
      }
      const n = Math.min(chunk.length, NIFTI_PREFIX_BYTES - from);
      prefix.set(chunk.subarray(0, n), from);
      if (inflated < NIFTI_PREFIX_BYTES) continue;
      read = parse(prefix);
      take(prefix, 0);
      take(chunk.subarray(n), from + n);
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(`is not a readable gzip file (${error instanceof Error ? error.message : String(error)})`);
  }
  if (read === null) {
    // A file shorter than NIFTI_PREFIX_BYTES once inflated: a small NIfTI-1 image.
    read = parse(prefix.subarray(0, inflated));
    take(prefix.subarray(0, inflated), 0);
  }
  const { header, data, end } = read;
  if (inflated < end) {
    throw new FileError(
      `inflates to ${inflated} bytes; its header declares ${describeVoxels(header.shape, header.dtype)}, ` +
        `which need ${end}`,
    );
  }
  return { header, data };
}

/** The volume of a NIfTI file's header and voxel bytes (scl_slope / scl_inter applied when they change values). */
export function niftiVolume(header: NiftiHeader, data: Uint8Array): Volume {
  const voxels = voxelsOf(data, header.dtype, header.littleEndian);
  const geometry = { shape: header.shape, firstAxisFastest: true, spacing: header.spacing };
  return { ...geometry, voxels: applyScaling(header, voxels) ?? voxels };
}

/** Extensions readVolumeBytes reads. */
export const MEMORY_EXTENSIONS = ['.png', '.nii', '.nii.gz', '.npy'] as const;

/**
 * The volume of a file's bytes, by its name's extension (.png, .nii, .nii.gz, .npy); `gunzip`
 * inflates a gzip stream (in a browser, a DecompressionStream). A FileError says why it cannot be
 * read; the caller adds the file's name.
 */
export async function readVolumeBytes(
  name: string,
  bytes: Uint8Array,
  maxVoxels: number,
  gunzip: (compressed: Uint8Array) => AsyncIterable<Uint8Array>,
): Promise<Volume> {
  const lower = name.toLowerCase();
  if (lower.endsWith('.png')) return readPng(bytes, maxVoxels);
  if (lower.endsWith('.npy')) {
    const header = readNpyHeader(bytes.subarray(0, Math.min(bytes.length, 1 << 16)), maxVoxels);
    const declared = describeVoxels(header.shape, header.dtype);
    checkSize(bytes.length, header.dataOffset, header.dataBytes, declared);
    const data = bytes.slice(header.dataOffset);
    return { shape: header.shape, voxels: voxelsOf(data, header.dtype, header.littleEndian) };
  }
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) {
    // Compressed or not by its first bytes (gzip's magic), whatever the extension says.
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      const { header, data } = await inflatedNifti(gunzip(bytes), bytes.length, maxVoxels);
      return niftiVolume(header, data);
    }
    const header = readNiftiHeader(bytes.subarray(0, Math.min(bytes.length, NIFTI_PREFIX_BYTES)), maxVoxels);
    checkSize(bytes.length, header.voxOffset, header.dataBytes, describeVoxels(header.shape, header.dtype));
    return niftiVolume(header, bytes.slice(header.voxOffset));
  }
  throw new FileError(`has no extension read here (${MEMORY_EXTENSIONS.join(', ')})`);
}
