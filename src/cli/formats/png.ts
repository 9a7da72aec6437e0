// PNG masks: one channel, grey (1–16 bits; the value is the label) or palette (the index is the
// label, whatever its colour). Decoded by fast-png, which leaves indices and samples as stored.
import { decode } from 'fast-png';
import { FileError, type Volume } from './volume.js';

export function readPng(bytes: Uint8Array): Volume {
  let image: ReturnType<typeof decode>;
  try {
    image = decode(bytes);
  } catch (error) {
    throw new FileError(`is not a readable PNG (${error instanceof Error ? error.message : String(error)})`);
  }
  const { width, height, depth, channels, data } = image;
  if (channels !== 1) {
    const kind = channels === 2 ? 'grey + alpha' : channels === 3 ? 'RGB' : 'RGBA';
    throw new FileError(
      `is a ${kind} PNG; masks must be one channel: grey (the value is the label) or palette (the index is the label)`,
    );
  }
  const voxels = depth < 8 ? unpack(data as Uint8Array, width, height, depth) : data;
  const labels =
    voxels instanceof Uint8ClampedArray ? new Uint8Array(voxels.buffer, voxels.byteOffset, voxels.length) : voxels;
  return { shape: [height, width], voxels: labels };
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
