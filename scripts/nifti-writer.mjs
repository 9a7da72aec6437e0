// A NIfTI-1 single-file writer for the example scripts (make-examples.mjs, make-demo-example.mjs),
// written from the NIfTI-1 specification, independent of the readers under src/cli/formats/.

/**
 * A NIfTI-1 single file (.nii): 348-byte header, 4 bytes of extension flags, uint8 voxels (x
 * fastest), voxels of `voxelMm` (x, y, z) in pixdim and on the sform's diagonal.
 */
export function niftiBytes(labels, dims, voxelMm, description) {
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0); // sizeof_hdr
  header.writeInt16LE(dims.length, 40); // dim[0]
  for (const [i, d] of dims.entries()) header.writeInt16LE(d, 42 + 2 * i);
  for (let i = dims.length; i < 7; i++) header.writeInt16LE(1, 42 + 2 * i);
  header.writeInt16LE(2, 70); // datatype: DT_UINT8
  header.writeInt16LE(8, 72); // bitpix
  header.writeFloatLE(1, 76); // pixdim[0] (qfac)
  for (const [i, mm] of voxelMm.entries()) header.writeFloatLE(mm, 80 + 4 * i); // pixdim[1..3]
  header.writeFloatLE(352, 108); // vox_offset
  header[123] = 2; // xyzt_units: mm
  header.writeFloatLE(1, 112); // scl_slope
  header.write(description, 148, 'latin1'); // descrip
  header.writeInt16LE(1, 254); // sform_code: scanner
  // srow_x/y/z: the voxel size on the diagonal
  for (const [i, mm] of voxelMm.entries()) header.writeFloatLE(mm, 280 + 20 * i);
  header.write('n+1\0', 344, 'latin1'); // magic
  return Buffer.concat([header, Buffer.from(Uint8Array.from(labels))]);
}
