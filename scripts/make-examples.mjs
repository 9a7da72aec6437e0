// Writes the sample masks of examples/ (pred/ and truth/, pairs matched by file name): three
// 16×12 PNG label maps (8-bit grey, 16-bit grey, palette) and one 8×8×4 NIfTI-1 volume
// (uint8, gzipped, voxels of 0.75 × 0.75 × 2.5 mm in its header). Every class is an
// axis-aligned box, so every count of examples/README.md is a product of side lengths, and its
// surface distances can be found by hand. The PNG writer is written out here, the NIfTI writer in
// nifti-writer.mjs (zlib and the file formats' specifications), independent of the readers under
// src/cli/formats/.
//   node scripts/make-examples.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { niftiBytes } from './nifti-writer.mjs';

const root = new URL('../examples/', import.meta.url);
const W = 16,
  H = 12;
/**
 * The volume's voxel size along x, y, z (mm): anisotropic, as CT and MR volumes often are (exact
 * in float32, as pixdim is stored).
 */
const VOXEL_MM = [0.75, 0.75, 2.5];

/** A label map of `dims` (fastest axis first) with `label` in each box [from, to) per axis. */
function labelMap(dims, boxes) {
  const labels = new Uint16Array(dims.reduce((a, d) => a * d, 1));
  for (const { label, from, to } of boxes) {
    const index = (coords) => coords.reduceRight((acc, c, axis) => acc * dims[axis] + c, 0);
    const visit = (axis, coords) => {
      if (axis < 0) {
        labels[index(coords)] = label;
        return;
      }
      for (let c = from[axis]; c < to[axis]; c++)
        visit(axis - 1, [...coords.slice(0, axis), c, ...coords.slice(axis + 1)]);
    };
    visit(dims.length - 1, from.slice());
  }
  return labels;
}

/** Box of `label` over x ∈ [x0, x1), y ∈ [y0, y1) (z ∈ [z0, z1) for volumes). */
const box = (label, x0, x1, y0, y1, z0, z1) =>
  z0 === undefined ? { label, from: [x0, y0], to: [x1, y1] } : { label, from: [x0, y0, z0], to: [x1, y1, z1] };

const CASES = {
  'case-a.png': {
    kind: 'grey8',
    truth: [box(1, 2, 8, 2, 8), box(2, 10, 14, 2, 10)],
    pred: [box(1, 3, 9, 2, 8), box(2, 10, 14, 4, 10)],
  },
  'case-b.png': {
    kind: 'grey16',
    truth: [box(1, 0, 8, 0, 6), box(3, 8, 16, 6, 12)],
    pred: [box(1, 0, 8, 0, 4), box(2, 0, 8, 4, 6), box(3, 8, 16, 6, 12)],
  },
  'case-c.png': {
    kind: 'palette',
    truth: [box(1, 4, 12, 4, 8), box(3, 0, 4, 8, 12)],
    pred: [box(1, 4, 12, 2, 8)],
  },
  'volume.nii.gz': {
    kind: 'nifti',
    dims: [8, 8, 4],
    truth: [box(1, 1, 5, 1, 5, 0, 4), box(2, 5, 8, 5, 8, 1, 3)],
    pred: [box(1, 1, 5, 1, 5, 1, 4), box(2, 5, 8, 5, 8, 0, 4)],
  },
};

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4),
    crc = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG of one channel: colour type 0 (grey) or 3 (palette), 8 or 16 bits, filter 0 on every row. */
function png(labels, { depth, colourType, palette }) {
  const bytes = depth / 8;
  const raw = Buffer.alloc(H * (1 + W * bytes));
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const at = y * (1 + W * bytes) + 1 + x * bytes;
      if (bytes === 2) raw.writeUInt16BE(labels[y * W + x], at);
      else raw[at] = labels[y * W + x];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(W, 0);
  header.writeUInt32BE(H, 4);
  header[8] = depth;
  header[9] = colourType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(palette ? [chunk('PLTE', Buffer.from(palette.flat()))] : []),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Background black, then the PASCAL VOC colours of labels 1–3. */
const VOC_PALETTE = [
  [0, 0, 0],
  [128, 0, 0],
  [0, 128, 0],
  [128, 128, 0],
];

for (const side of ['pred', 'truth']) mkdirSync(new URL(`${side}/`, root), { recursive: true });
for (const [name, c] of Object.entries(CASES)) {
  for (const side of ['pred', 'truth']) {
    let bytes;
    if (c.kind === 'nifti') {
      bytes = gzipSync(niftiBytes(labelMap(c.dims, c[side]), c.dims, VOXEL_MM, 'dice-wasm example labels'));
    } else {
      const labels = labelMap([W, H], c[side]);
      const format = {
        grey8: { depth: 8, colourType: 0 },
        grey16: { depth: 16, colourType: 0 },
        palette: { depth: 8, colourType: 3, palette: VOC_PALETTE },
      }[c.kind];
      bytes = png(labels, format);
    }
    writeFileSync(new URL(`${side}/${name}`, root), bytes);
  }
}
console.log(`examples: wrote ${Object.keys(CASES).length} pairs under ${root.pathname}`);
