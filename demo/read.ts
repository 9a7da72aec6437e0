// Files dropped or picked in the page, read by the CLI's readers (src/cli/formats/memory.ts: the
// same header checks as `dice-wasm eval`), within the page's memory budget.
import { readVolumeBytes } from '../src/cli/formats/memory.js';
import { FileError, maxLabel, toLabels, type Labels } from '../src/cli/formats/volume.js';
import { gridOf, type Grid3 } from './geometry.js';

/**
 * Voxels a volume may have in this page: 2^25 (320³). The page holds both volumes, the distance
 * map (4 bytes a voxel) and the worker's copies: about 12 bytes a voxel, 400 MB at the limit.
 */
export const PAGE_MAX_VOXELS = 2 ** 25;
/** Labels are class indices; the table has one row per label. */
export const PAGE_MAX_LABEL = 255;

export interface LabelFile {
  name: string;
  grid: Grid3;
  labels: Labels;
  /** Dimensions as the file gives them, for messages. */
  shape: number[];
}

/** A gzip stream inflated by the browser (DecompressionStream), chunk by chunk. */
async function* gunzip(compressed: Uint8Array): AsyncIterable<Uint8Array> {
  const stream = new Blob([compressed as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The label volume of `name`'s bytes; an Error whose message starts with the file's name says why not. */
export async function readLabelFile(name: string, bytes: Uint8Array): Promise<LabelFile> {
  try {
    const volume = await readVolumeBytes(name, bytes, PAGE_MAX_VOXELS, gunzip);
    const labels = toLabels(volume.voxels, null);
    const largest = maxLabel(labels, null);
    if (largest > PAGE_MAX_LABEL)
      throw new FileError(`holds label ${largest}; the page shows labels 0 to ${PAGE_MAX_LABEL}`);
    return { name, grid: gridOf(volume), labels, shape: volume.shape };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${name} ${message
        .replace(
          /more than --max-voxels (\d+); raise --max-voxels to read it/,
          'more than this page reads ($1 voxels, its memory budget); evaluate it with the CLI, dice-wasm eval',
        )
        .replace(
          'pass --threshold if this is a probability map',
          'a probability map needs dice-wasm eval --threshold',
        )}`,
    );
  }
}
