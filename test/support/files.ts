// Crafted mask files, written from the formats' specifications (not with src/'s readers): NumPy
// .npy with any header text, NIfTI-1 with any header field, PNG with any IHDR and image data,
// and gzip streams of any length made without holding them in memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, deflateSync } from 'node:zlib';

/**
 * A .npy file (format 1.0, or 2.0 with `major` 2) whose header is `dict` as given (padded,
 * newline), then `payload`.
 */
export function npyFile(dict: string, payload: Uint8Array, major = 1): Buffer {
  const start = major === 1 ? 10 : 12;
  const header = `${dict.padEnd(Math.ceil((dict.length + start + 1) / 64) * 64 - start - 1)}\n`;
  const prefix = Buffer.alloc(start);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = major;
  if (major === 1) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), payload]);
}

export interface NiftiFields {
  dims: number[];
  /** NIfTI datatype code: 2 uint8, 4 int16, 8 int32, 16 float32, 512 uint16, … */
  datatype?: number;
  bitpix?: number;
  pixdim?: number[];
  voxOffset?: number;
  slope?: number;
  inter?: number;
  magic?: string;
}

/** A NIfTI-1 single-file header (348 bytes and the 4 extension bytes), little-endian. */
export function niftiHeader(f: NiftiFields): Buffer {
  const h = Buffer.alloc(352);
  h.writeInt32LE(348, 0);
  const dim = [f.dims.length, ...f.dims, ...new Array(7 - f.dims.length).fill(1)];
  // int16 fields, written as their low 16 bits (a value out of range wraps, as in C).
  for (const [i, d] of dim.entries()) h.writeUInt16LE(d & 0xffff, 40 + 2 * i);
  h.writeUInt16LE((f.datatype ?? 2) & 0xffff, 70);
  h.writeUInt16LE((f.bitpix ?? 8) & 0xffff, 72);
  const pixdim = [1, ...(f.pixdim ?? f.dims.map(() => 1))];
  for (const [i, p] of pixdim.entries()) h.writeFloatLE(p, 76 + 4 * i);
  h.writeFloatLE(f.voxOffset ?? 352, 108);
  h.writeFloatLE(f.slope ?? 1, 112);
  h.writeFloatLE(f.inter ?? 0, 116);
  h.write(f.magic ?? 'n+1\0', 344, 'latin1');
  return h;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/**
 * A PNG of `width` × `height` declared in its IHDR (grey, `depth` bits, colour type `colour`),
 * whose IDAT holds `idat` (zlib data) or, by default, the rows of `pixels` with filter 0 (small
 * images only: the rows are built in memory).
 */
export function pngFile(
  width: number,
  height: number,
  {
    depth = 8,
    colour = 0,
    pixels,
    idat,
  }: { depth?: number; colour?: number; pixels?: Uint8Array; idat?: Uint8Array } = {},
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colour;
  let data = idat;
  if (data === undefined) {
    const rowBytes = Math.ceil((width * depth) / 8);
    const raw = Buffer.alloc(height * (rowBytes + 1));
    for (let y = 0; y < height; y++)
      raw.set(
        (pixels ?? new Uint8Array(height * rowBytes)).subarray(y * rowBytes, (y + 1) * rowBytes),
        y * (rowBytes + 1) + 1,
      );
    data = deflateSync(raw);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', data), chunk('IEND', new Uint8Array(0))]);
}

/** Writes gzip(`head` then `zeros` zero bytes) to `path`, streaming: the zeros are never held in memory. */
export async function gzipWithZeros(path: string, head: Uint8Array, zeros: number): Promise<void> {
  const gzip = createGzip({ level: 1 });
  const file = createWriteStream(path);
  gzip.pipe(file);
  const block = Buffer.alloc(1 << 20);
  gzip.write(head);
  for (let left = zeros; left > 0; left -= block.length) {
    if (!gzip.write(left >= block.length ? block : block.subarray(0, left))) await once(gzip, 'drain');
  }
  gzip.end();
  await once(file, 'close');
}
