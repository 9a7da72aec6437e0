// PNG masks: one channel, grey (1–16 bits; the value is the label) or palette (the index is the
// label, whatever its colour). The header and the sizes of the chunks are checked here (a voxel
// limit, and compressed data that can hold the pixels declared) before fast-png decodes the
// image, which leaves indices and samples as stored. Used by the CLI and by the demo page.
import { decode } from 'fast-png';
import { DEFAULT_MAX_VOXELS, FileError, type Volume } from './volume.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature, then the IHDR chunk: length, type, 13 bytes of data, CRC. */
export const PNG_PREFIX_BYTES = 33;
/**
 * How many times its compressed size a zlib stream can inflate to, at most (zlib's FAQ: deflate's
 * best ratio is 1032:1, on long runs of one byte).
 */
export const DEFLATE_MAX_RATIO = 1032;
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  channels: number;
  /** Bytes the image inflates to without interlacing: a filter byte and the samples of each row. */
  rawBytes: number;
}

/** The IHDR of a PNG from its first PNG_PREFIX_BYTES bytes, checked: one channel, at most `maxVoxels` pixels. */
export function readPngHeader(bytes: Uint8Array, maxVoxels: number): PngHeader {
  if (bytes.length < PNG_PREFIX_BYTES || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new FileError('is not a readable PNG (no PNG signature and header)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new FileError('is not a readable PNG (its first chunk is not a 13-byte IHDR)');
  }
  const width = view.getUint32(16),
    height = view.getUint32(20),
    depth = bytes[24],
    colour = bytes[25];
  const channels = CHANNELS[colour];
  if (width === 0 || height === 0 || channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) {
    throw new FileError(
      `is not a readable PNG (width ${width}, height ${height}, bit depth ${depth}, colour type ${colour})`,
    );
  }
  if (channels !== 1) {
    const kind = channels === 2 ? 'grey + alpha' : channels === 3 ? 'RGB' : 'RGBA';
    throw new FileError(
      `is a ${kind} PNG; masks must be one channel: grey (the value is the label) or palette (the index is the label)`,
    );
  }
  if (width * height > maxVoxels) {
    throw new FileError(
      `declares ${height}×${width} pixels, more than --max-voxels ${maxVoxels}; raise --max-voxels to read it`,
    );
  }
  return { width, height, depth, channels, rawBytes: height * (1 + Math.ceil((width * depth * channels) / 8)) };
}

/**
 * The image of a PNG file's bytes. Refused before decoding: more than `maxVoxels` pixels, or
 * image data (the IDAT chunks) too small to inflate to the pixels the header declares.
 */
export function readPng(bytes: Uint8Array, maxVoxels = DEFAULT_MAX_VOXELS): Volume {
  const header = readPngHeader(bytes, maxVoxels);
  const compressed = imageDataBytes(bytes);
  // Interlaced images have a few more filter bytes (7 passes): the slack covers them.
  if (header.rawBytes > DEFLATE_MAX_RATIO * compressed + 65536) {
    throw new FileError(
      `declares ${header.height}×${header.width} pixels, which its ${compressed} bytes of image data ` +
        `cannot hold (deflate inflates at most ${DEFLATE_MAX_RATIO}:1)`,
    );
  }
  let image: ReturnType<typeof decode>;
  try {
    image = decode(bytes);
  } catch (error) {
    throw new FileError(`is not a readable PNG (${error instanceof Error ? error.message : String(error)})`);
  }
  const { width, height, depth, data } = image;
  if (width !== header.width || height !== header.height) {
    throw new FileError('is not a readable PNG (its decoded size differs from its header)');
  }
  const voxels = depth < 8 ? unpack(data as Uint8Array, width, height, depth) : data;
  const labels =
    voxels instanceof Uint8ClampedArray ? new Uint8Array(voxels.buffer, voxels.byteOffset, voxels.length) : voxels;
  if (labels.length !== width * height) {
    throw new FileError(`is not a readable PNG (it decodes to ${labels.length} samples for ${height}×${width} pixels)`);
  }
  return { shape: [height, width], voxels: labels };
}

/**
 * Bytes of the IDAT chunks, walking the chunks from the signature to IEND (or to a truncation,
 * which decode reports).
 */
function imageDataBytes(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let total = 0;
  for (let at = SIGNATURE.length; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') total += Math.min(length, bytes.length - at - 8);
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return total;
}

/** Samples of 1, 2 or 4 bits, packed from the high bits, each row starting on a byte. */
function unpack(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = (packed[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
