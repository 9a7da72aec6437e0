// `.npz` files (NumPy's zip of .npy arrays), written here byte by byte (test/support/zip.ts, from
// PKWARE's APPNOTE, not with src/'s reader): stored (np.savez) and deflated (np.savez_compressed)
// entries, zip64 fields, the only array or one chosen by --npz-key; and lying files: truncated,
// sizes that disagree, a zip bomb, a wrong CRC-32, a missing key, several arrays without a key.
// Expected values: the 4×4 masks below counted by hand (class 1: 5 and 5 pixels, 4 shared, Dice
// 0.8; class 2: 4 and 3, 3 shared, Dice 6/7).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '../../src/cli/formats/index.js';
import { readNpz } from '../../src/cli/formats/npz.js';
import { FileError, type Voxels } from '../../src/cli/formats/volume.js';
import { probe } from '../support/cli-run.js';
import { npyFile } from '../support/files.js';
import { crc32Bitwise, zipFile } from '../support/zip.js';

const PRED = Uint8Array.from([0, 1, 1, 0, 0, 1, 2, 2, 0, 0, 2, 2, 1, 1, 0, 0]);
const TRUTH = Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 2, 0, 0, 2, 2, 1, 0, 0, 0]);
const npyU8 = (values: Uint8Array, shape = '(4, 4)') =>
  npyFile(`{'descr': '|u1', 'fortran_order': False, 'shape': ${shape}, }`, values);
const npyU16 = (values: number[]) =>
  npyFile(
    `{'descr': '<u2', 'fortran_order': False, 'shape': (${values.length},), }`,
    new Uint8Array(Uint16Array.from(values).buffer),
  );

/** The values of voxels read as numbers (the fixtures here are of number types). */
const numbers = (voxels: Voxels): number[] => Array.from(voxels as ArrayLike<number>);

let dir: string;
const at = (...parts: string[]) => join(dir, ...parts);
const options = (npzKey: string | null = null, maxVoxels = 1 << 20) => ({ raw: null, maxVoxels, npzKey });

function write(name: string, bytes: Uint8Array): string {
  const path = at(name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/**
 * The CLI's reader's refusal of the file, which the in-memory reader (readNpz: the browser's,
 * inflating in JavaScript) must give word for word.
 */
async function refusal(path: string, key: string | null = null, maxVoxels?: number): Promise<string> {
  const error = await readVolume(path, options(key, maxVoxels)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileError);
  const message = (error as FileError).message;
  // The JavaScript inflate's own complaint differs from zlib's: the sentence up to it is the same.
  const sentence = (m: string) => m.replace(/ \(.*\)$/, '');
  expect(() => readNpz(readFileSync(path), options(key, maxVoxels))).toThrow(FileError);
  try {
    readNpz(readFileSync(path), options(key, maxVoxels));
  } catch (e) {
    expect(sentence((e as Error).message)).toBe(sentence(message));
  }
  return message;
}

/** The file as both readers read it (they must agree). */
async function bothReaders(path: string, key: string | null = null) {
  const volume = await readVolume(path, options(key));
  const inMemory = readNpz(readFileSync(path), options(key));
  expect(inMemory.shape).toEqual(volume.shape);
  expect(inMemory.voxels).toEqual(volume.voxels);
  return volume;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dice-wasm-npz-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('.npz: the arrays np.savez and np.savez_compressed write', () => {
  it('the CRC-32 of the writer: the check value of "123456789" is 0xcbf43926', () => {
    expect(crc32Bitwise(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it.each([
    ['stored', false],
    ['deflated', false],
    ['stored', true],
    ['deflated', true],
  ] as const)('%s, zip64 %s: the only array, as written', async (method, zip64) => {
    const path = write(
      `only-${method}-${zip64}.npz`,
      zipFile([{ name: 'arr_0.npy', data: npyU8(PRED), method }], { zip64 }),
    );
    const volume = await bothReaders(path);
    expect(volume.shape).toEqual([4, 4]);
    expect(numbers(volume.voxels)).toEqual(Array.from(PRED));
  });

  it('--npz-key chooses an array by its name (with or without .npy), of any dtype', async () => {
    const path = write(
      'two.npz',
      zipFile([
        { name: 'pred.npy', data: npyU8(PRED), method: 'deflated' },
        { name: 'labels.npy', data: npyU16([7, 65535, 0]), method: 'deflated' },
      ]),
    );
    expect(numbers((await bothReaders(path, 'pred')).voxels)).toEqual(Array.from(PRED));
    const labels = await bothReaders(path, 'labels');
    expect(labels.voxels).toBeInstanceOf(Uint16Array);
    expect(numbers(labels.voxels)).toEqual([7, 65535, 0]);
    expect(numbers((await readVolume(path, options('labels.npy'))).voxels)).toEqual([7, 65535, 0]);
  });

  it('eval on .npz pairs: Dice 0.8 and 6/7 by hand, the key read from both files', async () => {
    write('pairs/pred/a.npz', zipFile([{ name: 'mask.npy', data: npyU8(PRED), method: 'deflated' }]));
    write('pairs/truth/a.npz', zipFile([{ name: 'mask.npy', data: npyU8(TRUTH) }]));
    const r = await probe(['eval', at('pairs', 'pred'), at('pairs', 'truth'), '--npz-key', 'mask', '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('case,class,dice,iou');
    expect(lines[1]).toBe(`a.npz,1,0.8,${4 / 6}`);
    expect(lines[2]).toBe(`a.npz,2,${6 / 7},0.75`);
  });
});

describe('.npz: refused files name what is wrong (a FileError; exit 1 for the pair)', () => {
  it('several arrays without --npz-key, and a key the file does not hold: the keys it holds', async () => {
    const path = write(
      'several.npz',
      zipFile([
        { name: 'arr_0.npy', data: npyU8(PRED) },
        { name: 'arr_1.npy', data: npyU8(TRUTH) },
      ]),
    );
    expect(await refusal(path)).toBe("is an .npz file of 2 arrays ('arr_0', 'arr_1'); choose one with --npz-key NAME");
    expect(await refusal(path, 'pred')).toBe(
      "is an .npz file without the array 'pred' (--npz-key); it holds 'arr_0', 'arr_1'",
    );
    expect(await refusal(write('empty.npz', zipFile([])))).toBe('is an .npz file that holds no array');
  });

  it('truncated anywhere: no end record, or offsets past the end', async () => {
    const whole = zipFile([{ name: 'arr_0.npy', data: npyU8(PRED), method: 'deflated' }]);
    for (const cut of [0, 10, 40, whole.length - 30, whole.length - 1]) {
      const message = await refusal(write(`cut-${cut}.npz`, whole.subarray(0, cut)));
      expect(message).toMatch(/^is not a zip file \(\.npz\): no end of central directory record$/);
    }
    // The end record kept, the data before it cut: the directory is not where the record says.
    const tail = whole.subarray(whole.length - 22);
    const directory = whole.subarray(whole.length - 22 - 46 - 9, whole.length - 22);
    expect(await refusal(write('cut-data.npz', Buffer.concat([directory, tail])))).toMatch(
      /^is a zip file \(\.npz\) whose central directory \(55 bytes at \d+\) is not inside its 77 bytes$/,
    );
  });

  it('sizes that lie: the directory against the .npy header, and data past the directory', async () => {
    const data = npyU8(PRED);
    // Declared 4 bytes longer than the .npy it holds (header + 16 voxels).
    const longer = write('longer.npz', zipFile([{ name: 'a.npy', data, method: 'deflated', size: data.length + 4 }]));
    expect(await refusal(longer)).toBe(
      `holds the array 'a.npy' of ${data.length + 4} bytes; its .npy header declares 4×4 uint8 voxels, ` +
        `which need ${data.length}`,
    );
    // The .npy header declares 64×64 voxels; the entry holds 16.
    const big = npyU8(PRED, '(64, 64)');
    expect(await refusal(write('header-lies.npz', zipFile([{ name: 'a.npy', data: big }])))).toBe(
      `holds the array 'a.npy' of ${big.length} bytes; its .npy header declares 64×64 uint8 voxels, ` +
        `which need ${big.length - 16 + 4096}`,
    );
    // A stored entry whose compressed and inflated sizes differ.
    expect(await refusal(write('stored-lies.npz', zipFile([{ name: 'a.npy', data, size: data.length + 1 }])))).toBe(
      `holds the stored entry 'a.npy' of ${data.length} bytes declared ${data.length + 1}`,
    );
    // A compressed size that runs into the central directory.
    expect(
      await refusal(write('past.npz', zipFile([{ name: 'a.npy', data, method: 'deflated', compressedSize: 5000 }]))),
    ).toMatch(
      /^holds the entry 'a\.npy' of 5000 bytes at 0, which is not inside the file before its central directory/,
    );
    // --max-voxels before anything is allocated.
    expect(await refusal(write('max.npz', zipFile([{ name: 'a.npy', data }])), null, 15)).toBe(
      'declares 4×4 voxels, more than --max-voxels 15; raise --max-voxels to read it',
    );
  });

  it('zip bombs: a size deflate cannot reach is refused before inflating; more than declared is stopped', async () => {
    // 2^26 zero voxels declared (the .npy header and the directory agree), in a deflated entry of
    // a few hundred bytes: more than deflate's best ratio, 1032:1, can give.
    const header = npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (67108864,), }", new Uint8Array(0));
    const payload0 = deflateRawSync(Buffer.concat([header, Buffer.alloc(1024)]));
    const bomb = write(
      'bomb.npz',
      zipFile([
        { name: 'a.npy', data: header, method: 'deflated', size: header.length + (1 << 26), payload: payload0 },
      ]),
    );
    expect(await refusal(bomb, null, 1 << 27)).toBe(
      `holds the array 'a.npy', which declares ${header.length + (1 << 26)} bytes that its ${payload0.length} ` +
        'compressed bytes cannot hold (deflate inflates at most 1032:1)',
    );
    // A 16-voxel .npy declared, but the stream inflates to 1 MiB more.
    const small = npyU8(PRED);
    const payload = deflateRawSync(Buffer.concat([small, Buffer.alloc(1 << 20)]));
    const lying = write('more.npz', zipFile([{ name: 'a.npy', data: small, method: 'deflated', payload }]));
    expect(await refusal(lying)).toBe(
      `holds the array 'a.npy', which inflates to more than the ${small.length} bytes its directory declares; ` +
        'inflating was stopped there',
    );
  });

  it('a wrong CRC-32 is refused (np.load refuses it too), stored or deflated', async () => {
    const data = npyU8(PRED);
    const right = crc32Bitwise(data).toString(16).padStart(8, '0');
    for (const method of ['stored', 'deflated'] as const) {
      const path = write(`crc-${method}.npz`, zipFile([{ name: 'a.npy', data, method, crc: 0x12345678 }]));
      expect(await refusal(path)).toBe(
        `holds the entry 'a.npy' whose CRC-32 is 0x${right}, not the 0x12345678 declared ` +
          '(a damaged file; np.load refuses it too)',
      );
    }
  });

  it('not a deflate stream, and not a .npy inside', async () => {
    const data = npyU8(PRED);
    const garbage = write(
      'garbage.npz',
      zipFile([{ name: 'a.npy', data, method: 'deflated', payload: Buffer.alloc(40, 0xff) }]),
    );
    expect(await refusal(garbage)).toMatch(/^holds the array 'a\.npy', which is not a readable deflate stream \(/);
    const text = write('text.npz', zipFile([{ name: 'a.npy', data: new TextEncoder().encode('not numpy at all') }]));
    expect(await refusal(text)).toBe('is not a NumPy .npy file (no \\x93NUMPY magic)');
  });

  it('in a run, a bad .npz is exit 1 for its pair, named; the other pairs are reported', async () => {
    write('run/pred/a.npz', zipFile([{ name: 'arr_0.npy', data: npyU8(PRED) }]));
    write('run/truth/a.npz', zipFile([{ name: 'arr_0.npy', data: npyU8(TRUTH), method: 'deflated' }]));
    write('run/pred/b.npz', zipFile([{ name: 'arr_0.npy', data: npyU8(PRED), crc: 1 }]));
    write('run/truth/b.npz', zipFile([{ name: 'arr_0.npy', data: npyU8(TRUTH) }]));
    const r = await probe(['eval', at('run', 'pred'), at('run', 'truth'), '--format', 'csv']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`a.npz,2,${6 / 7},0.75`);
    expect(r.stderr).toContain(`${at('run', 'pred', 'b.npz')} holds the entry 'arr_0.npy' whose CRC-32 is`);
  });
});
