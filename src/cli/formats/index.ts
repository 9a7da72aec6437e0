// Reads a mask file by its name: .png, .nii / .nii.gz, .npy, and anything else as raw binary
// when a shape and dtype are given.
import { readFile } from 'node:fs/promises';
import { readNifti } from './nifti.js';
import { readNpy } from './npy.js';
import { readPng } from './png.js';
import { readRaw } from './raw.js';
import { FileError, type Dtype, type Volume } from './volume.js';

export interface RawFormat {
  shape: readonly number[];
  dtype: Dtype;
}

const KNOWN_EXTENSIONS = ['.png', '.nii', '.nii.gz', '.npy'] as const;

export function isKnownFormat(name: string): boolean {
  const lower = name.toLowerCase();
  return KNOWN_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** The file's volume; a FileError (or the file system's error) says why it cannot be read. */
export async function readVolume(path: string, raw: RawFormat | null): Promise<Volume> {
  const bytes = new Uint8Array(await readFile(path));
  const lower = path.toLowerCase();
  if (lower.endsWith('.png')) return readPng(bytes);
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) return readNifti(bytes);
  if (lower.endsWith('.npy')) return readNpy(bytes);
  if (raw !== null) return readRaw(bytes, raw.shape, raw.dtype);
  throw new FileError('has no known extension (.png, .nii, .nii.gz, .npy); raw binary needs --shape and --dtype');
}
