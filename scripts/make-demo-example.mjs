// Writes the demo page's bundled example (demo/public/example/truth.nii.gz and pred.nii.gz): a
// synthetic 96×80×40 CT-like case, voxels of 0.8 × 0.8 × 2 mm. The truth holds an ellipsoidal
// organ (label 1) with a spherical lesion in it (label 2); the prediction moves and shrinks both
// a little and adds a small false blob away from the organ, so that every overlap and surface
// metric has something to show (the blob makes the Hausdorff distance). uint8 NIfTI-1, gzipped.
//   node scripts/make-demo-example.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { niftiBytes } from './nifti-writer.mjs';

const DIMS = [96, 80, 40];
const VOXEL_MM = [0.8, 0.8, 2];

/** A label map (x fastest) painted by `shapes` in order: each an ellipsoid (centre, radii in voxels) and its label. */
function paint(shapes) {
  const [nx, ny, nz] = DIMS;
  const labels = new Uint8Array(nx * ny * nz);
  for (const { label, centre, radii } of shapes) {
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          const r = [x, y, z].reduce((sum, c, axis) => sum + ((c - centre[axis]) / radii[axis]) ** 2, 0);
          if (r <= 1) labels[(z * ny + y) * nx + x] = label;
        }
      }
    }
  }
  return labels;
}

const truth = paint([
  { label: 1, centre: [46, 40, 19.5], radii: [30, 24, 13] },
  { label: 2, centre: [58, 36, 21], radii: [7, 7, 3] },
]);
const pred = paint([
  { label: 1, centre: [48, 41, 19.5], radii: [29, 23, 12.5] },
  { label: 1, centre: [86, 10, 30], radii: [3, 3, 2] },
  { label: 2, centre: [60, 37, 21], radii: [6, 6, 2.5] },
]);

const root = new URL('../demo/public/example/', import.meta.url);
mkdirSync(root, { recursive: true });
for (const [name, labels] of [
  ['truth.nii.gz', truth],
  ['pred.nii.gz', pred],
]) {
  const bytes = gzipSync(niftiBytes(labels, DIMS, VOXEL_MM, 'dice-wasm demo example'), { level: 9 });
  writeFileSync(new URL(name, root), bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
