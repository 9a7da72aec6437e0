// `dice-wasm eval` on hostile files (issue 14: D1–D3, D6–D8, D14, D15, D18; issue 16 part 5): every
// file is generated here, the CLI runs as a child process with a V8 heap limit and a timeout, and
// its peak memory is measured. Each refusal is an error of its pair (exit 1, the other pairs still
// reported) whose message names the file; usage mistakes exit 2. Expected values: the 4×4 masks
// below, counted by hand (class 1: 5 and 5 pixels, 4 shared, Dice 0.8; class 2: 4 and 3, 3
// shared, Dice 6/7).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, type ProbeRun } from '../support/cli-run.js';
import { gzipWithZeros, niftiHeader, npyFile, pngFile } from '../support/files.js';

let dir: string;
const at = (...parts: string[]) => join(dir, ...parts);

const PRED = Uint8Array.from([0, 1, 1, 0, 0, 1, 2, 2, 0, 0, 2, 2, 1, 1, 0, 0]);
const TRUTH = Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 2, 0, 0, 2, 2, 1, 0, 0, 0]);
/** Peak memory allowed to a run on these small or refused files (Node and the kernels take ~60 MiB). */
const MEMORY_MIB = 200;

function write(path: string, bytes: Uint8Array): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

const i32 = (values: number[]) => new Uint8Array(Int32Array.from(values).buffer);
const npyInt32 = (values: number[]) =>
  npyFile(`{'descr': '<i4', 'fortran_order': False, 'shape': (${values.length},), }`, i32(values));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dice-wasm-untrusted-'));
  write(at('good', 'pred', 'c.png'), pngFile(4, 4, { pixels: PRED }));
  write(at('good', 'truth', 'c.png'), pngFile(4, 4, { pixels: TRUTH }));
  write(at('zero1.npy'), npyInt32([0]));
  write(at('label1e8.npy'), npyInt32([100_000_000]));
  const volume = new Uint8Array(8 * 8 * 4).fill(1, 0, 40);
  write(at('v.nii'), Buffer.concat([niftiHeader({ dims: [8, 8, 4] }), volume]));
  const labels = new Int32Array(8 * 8 * 4);
  labels[7] = 100_000_000;
  write(
    at('label1e8.nii'),
    Buffer.concat([niftiHeader({ dims: [8, 8, 4], datatype: 8, bitpix: 32 }), new Uint8Array(labels.buffer)]),
  );
  await gzipWithZeros(at('bomb.nii.gz'), niftiHeader({ dims: [8, 8, 4] }), 256 << 20);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The run ended by itself, with exit code `code`, within the memory bound. */
function expectBounded(r: ProbeRun, code: number): void {
  expect(r.timedOut, 'the run must end by itself').toBe(false);
  expect(r.signal, `no crash; stderr: ${r.stderr}`).toBeNull();
  expect(r.code, r.stderr).toBe(code);
  expect(r.maxRssMiB).toBeLessThan(MEMORY_MIB);
}

describe('labels and classes from untrusted files (D1, D2)', () => {
  // Refused naming the file and the label, not turned into 10^8 classes.
  it('one voxel of label 10^8 (.npy, .nii) is refused', async () => {
    for (const file of ['label1e8.npy', 'label1e8.nii']) {
      const other = file.endsWith('.npy') ? 'zero1.npy' : 'v.nii';
      const r = await probe(['eval', at(file), at(other)]);
      expectBounded(r, 1);
      expect(r.stderr).toContain(
        `${at(file)} holds label 100000000 (first above 65535 at voxel ${file.endsWith('.npy') ? 0 : 7}); ` +
          'eval reads labels 0 to 65535',
      );
    }
  });

  it('the largest label, 65535, costs by the labels present: two columns reported', async () => {
    const pred = write(
      at('u16', 'pred.npy'),
      npyFile(
        "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }",
        new Uint8Array(Uint16Array.of(65535, 0).buffer),
      ),
    );
    const truth = write(
      at('u16', 'truth.npy'),
      npyFile(
        "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }",
        new Uint8Array(Uint16Array.of(65535, 1).buffer),
      ),
    );
    const r = await probe(['eval', pred, truth, '--format', 'json']);
    expectBounded(r, 0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report.cases[0].classes)).toEqual(['1', '65535']);
    expect(report.cases[0].classes['65535'].dice).toBe(1);
    expect(report.cases[0].classes['1'].dice).toBe(0);
  });

  it.each(['10000000', '65537', '0'])('--num-classes %s is a usage error (exit 2)', async (n) => {
    const r = await probe(['eval', at('good', 'pred'), at('good', 'truth'), '--num-classes', n]);
    expectBounded(r, 2);
    expect(r.stderr).toContain(`--num-classes must be an integer in [1, 65536]; got '${n}'`);
  });
});

describe('sizes declared against sizes held (D3, D7, --max-voxels)', () => {
  // 8×8×4 voxels in the header, then 256 MiB of zeros.
  it('a .nii.gz that inflates past its header is stopped there, in bounded memory', async () => {
    const r = await probe(['eval', at('bomb.nii.gz'), at('v.nii')]);
    expectBounded(r, 1);
    expect(r.stderr).toContain(
      `${at('bomb.nii.gz')} inflates to more than the 608 bytes its header declares (8×8×4 uint8 voxels); ` +
        'inflating was stopped there',
    );
  });

  it('headers that declare more than the file can hold are refused before anything is allocated', async () => {
    const files = {
      // 1024×1024×128 bytes (2^27, under the --max-voxels default) declared, a few hundred compressed bytes.
      'declares.nii.gz': await (async () => {
        const path = at('declares.nii.gz');
        await gzipWithZeros(path, niftiHeader({ dims: [1024, 1024, 128] }), 1000);
        return path;
      })(),
      'declares.png': write(
        at('declares.png'),
        pngFile(16000, 16000, { idat: new Uint8Array(Buffer.from('78da0300000001', 'hex')) }),
      ),
      'huge.png': write(
        at('huge.png'),
        pngFile(50000, 50000, { idat: new Uint8Array(Buffer.from('78da0300000001', 'hex')) }),
      ),
      'short.nii': write(at('short.nii'), Buffer.concat([niftiHeader({ dims: [8, 8, 4] }), new Uint8Array(100)])),
      'long.nii': write(at('long.nii'), Buffer.concat([niftiHeader({ dims: [8, 8, 4] }), new Uint8Array(300)])),
      'long.npy': write(
        at('long.npy'),
        npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (4, 4), }", new Uint8Array(17)),
      ),
      'shape.npy': write(
        at('shape.npy'),
        npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", new Uint8Array(16)),
      ),
    };
    const messages: Record<string, string> = {
      'declares.nii.gz': 'declares 1024×1024×128 uint8 voxels (134218080 bytes), which its',
      'declares.png':
        'declares 16000×16000 pixels, which its 7 bytes of image data cannot hold (deflate inflates at most 1032:1)',
      'huge.png': 'declares 50000×50000 pixels, more than --max-voxels 268435456',
      'short.nii': 'holds 100 bytes of voxel data; its header declares 8×8×4 uint8 voxels, which need 256',
      'long.nii': 'holds 44 bytes more than its header declares (8×8×4 uint8 voxels: 608 bytes in all)',
      'long.npy': 'holds 1 bytes more than its header declares',
      'shape.npy': 'declares 100000×100000×100000 voxels, more than --max-voxels 268435456',
    };
    for (const [name, path] of Object.entries(files)) {
      const r = await probe(['eval', path, path]);
      expectBounded(r, 1);
      expect(r.stderr).toContain(`${path} ${messages[name]}`);
    }
  });

  // The bombs declare 30000×30000 pixels (PNG) and 1024×1024×2047 voxels (.nii.gz) in data that
  // really inflates to that size; their headers alone are refused by the default, whatever follows.
  it('the default --max-voxels, 2^28, refuses images declared above it at once', async () => {
    const png = write(at('over.png'), pngFile(16385, 16384, { idat: new Uint8Array(8) }));
    const nii = write(at('over.nii'), Buffer.concat([niftiHeader({ dims: [1024, 1024, 257] }), new Uint8Array(8)]));
    for (const [path, message] of [
      [png, 'declares 16384×16385 pixels, more than --max-voxels 268435456'],
      [nii, 'declares 1024×1024×257 voxels, more than --max-voxels 268435456'],
    ]) {
      const r = await probe(['eval', path, path]);
      expectBounded(r, 1);
      expect(r.stderr).toContain(`${path} ${message}; raise --max-voxels to read it`);
    }
  });

  it('--max-voxels refuses larger images naming the file; the others are still reported', async () => {
    mkdirSync(at('mixed', 'pred'), { recursive: true });
    mkdirSync(at('mixed', 'truth'), { recursive: true });
    for (const side of ['pred', 'truth'] as const) {
      write(at('mixed', side, 'a.png'), pngFile(4, 4, { pixels: side === 'pred' ? PRED : TRUTH }));
      write(at('mixed', side, 'b.nii'), Buffer.concat([niftiHeader({ dims: [8, 8, 4] }), new Uint8Array(256)]));
    }
    const r = await probe([
      'eval',
      at('mixed', 'pred'),
      at('mixed', 'truth'),
      '--max-voxels',
      '100',
      '--format',
      'json',
    ]);
    expectBounded(r, 1);
    const report = JSON.parse(r.stdout);
    expect(report.cases[0].classes['1'].dice).toBeCloseTo(0.8, 12);
    expect(report.cases[0].classes['2'].dice).toBeCloseTo(6 / 7, 12);
    expect(report.cases[1].error).toBe(
      `${at('mixed', 'pred', 'b.nii')} declares 8×8×4 voxels, more than --max-voxels 100; ` +
        'raise --max-voxels to read it',
    );
    const usage = await probe(['eval', at('v.nii'), at('v.nii'), '--max-voxels=-1']);
    expectBounded(usage, 2);
    expect(usage.stderr).toContain("--max-voxels must be an integer ≥ 1; got '-1'");
  });

  it.each([
    [-256, 'has vox_offset -256; the voxels of a single-file NIfTI-1 start at an integer offset ≥ 352'],
    [352.5, 'has vox_offset 352.5; the voxels of a single-file NIfTI-1 start at an integer offset ≥ 352'],
    [1_000_000, 'holds 0 bytes of voxel data; its header declares 8×8×2 uint8 voxels, which need 128'],
  ])('vox_offset %d is refused (D7)', async (voxOffset, message) => {
    const path = write(
      at(`voxoff${voxOffset}.nii`),
      Buffer.concat([niftiHeader({ dims: [8, 8, 2], voxOffset }), new Uint8Array(128 + 256)]),
    );
    const r = await probe(['eval', path, path]);
    expectBounded(r, 1);
    expect(r.stderr).toContain(`${path} ${message}`);
  });

  it('a file that is a link to /dev/zero (or /dev/urandom) is refused at once, not read forever', async () => {
    symlinkSync('/dev/zero', at('zero.png'));
    symlinkSync('/dev/urandom', at('urandom.nii'));
    for (const [pred, truth] of [
      [at('good', 'pred', 'c.png'), at('zero.png')],
      [at('urandom.nii'), at('v.nii')],
    ]) {
      const r = await probe(['eval', pred, truth], { timeoutMs: 20_000 });
      expectBounded(r, 1);
      expect(r.stderr).toMatch(/ is not a regular file \(a character device\)/);
    }
  });
});

describe('NumPy headers are parsed strictly (D8, D15)', () => {
  it.each([
    ["{'descr': '|u1', 'fortran_order': False, 'shape': (abc, 4), }", 'a non-negative integer expected'],
    ["{'descr': '|u1', 'fortran_order': False, 'shape': (2.5, 4), }", "',' or ')' expected"],
    ["{'descr': '|u1', 'fortran_order': False, 'shape': (4, 4)", "',' or '}' expected"],
    ["{'descr': '|u1', 'fortran_order': False, 'shape': (16), }", 'a one-element shape written (n,) expected'],
    ["{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (16,), }", "the key 'descr' twice"],
    ["{'descr': '|u1', 'fortran_order': False, 'shape': (16,), 'extra': 1, }", "the key 'extra', which is not descr"],
    ["{'descr': '|u1', 'shape': (16,), }", 'no fortran_order'],
    ["{'descr': '|u1', 'fortran_order': False, 'shape': (16,), } junk", 'text after the closing brace'],
    ['not a dict at all', "'{' expected"],
  ])('%s is refused', async (dict, reason) => {
    const path = write(at('npy', `${Buffer.from(dict).toString('hex').slice(0, 40)}.npy`), npyFile(dict, PRED));
    const r = await probe(['eval', path, path]);
    expectBounded(r, 1);
    expect(r.stderr).toContain(`${path} has a .npy header that is not NumPy's (${reason}`);
  });

  it('what NumPy writes is read: (4, 4), Python 2 longs, a scalar ()', async () => {
    for (const [dict, payload] of [
      ["{'descr': '|u1', 'fortran_order': False, 'shape': (4, 4), }", PRED],
      ["{'descr': '|u1', 'fortran_order': False, 'shape': (4L, 4L), }", PRED],
      ['{"descr": "|u1", "fortran_order": False, "shape": (16,)}', PRED],
    ] as const) {
      const path = write(at('npy', 'ok.npy'), npyFile(dict, payload));
      const truth = write(at('npy', 'truth.npy'), npyFile(dict, TRUTH));
      const r = await probe(['eval', path, truth, '--format', 'json']);
      expectBounded(r, 0);
      expect(JSON.parse(r.stdout).cases[0].classes['1'].dice).toBeCloseTo(0.8, 12);
    }
  });

  it('headers above NumPy own limit (10000 bytes) are refused, and messages quote no more than a line', async () => {
    const long = write(
      at('npy', 'long-header.npy'),
      npyFile(`{'descr': '|u1', 'junk': '${'J'.repeat(50_000)}'}`, PRED, 2),
    );
    const r = await probe(['eval', long, long]);
    expectBounded(r, 1);
    // The header and its padding: 12 bytes of prefix and the header make a multiple of 64.
    expect(r.stderr).toMatch(/has a \.npy header of 50036 bytes; NumPy itself reads at most 10000/);
    const bad = write(at('npy', 'bad-9000.npy'), npyFile(`{'descr': '|u1', 'shap': '${'J'.repeat(9000)}'}`, PRED));
    const j = await probe(['eval', bad, bad, '--format', 'json']);
    expectBounded(j, 1);
    const error: string = JSON.parse(j.stdout).cases[0].error;
    expect(error).toMatch(/has a \.npy header that is not NumPy's/);
    expect(error.length).toBeLessThan(400);
    for (const line of j.stderr.split('\n')) expect(line.length).toBeLessThan(400);
  });
});

describe('directories and links (D14, D18)', () => {
  // Links out of the directories, loops and dangling links are refused by name.
  it('a link to a file inside the directories is followed; other links are refused', async () => {
    const pred = at('links', 'pred'),
      truth = at('links', 'truth');
    for (const name of ['c.png', 'd.png', 'e.png', 'f.png', 'g.png', 'h.png'])
      write(join(pred, name), pngFile(4, 4, { pixels: PRED }));
    write(join(truth, 'c.png'), pngFile(4, 4, { pixels: TRUTH }));
    symlinkSync('c.png', join(truth, 'd.png')); // inside TRUTH: followed
    symlinkSync(join(pred, 'c.png'), join(truth, 'h.png')); // inside PRED: followed
    symlinkSync(at('good', 'truth', 'c.png'), join(truth, 'e.png')); // outside both
    symlinkSync('f.png', join(truth, 'f.png')); // a loop
    symlinkSync('nothing.png', join(truth, 'g.png')); // dangling
    const r = await probe(['eval', pred, truth, '--format', 'json']);
    expectBounded(r, 1);
    const cases = Object.fromEntries(JSON.parse(r.stdout).cases.map((c: { name: string }) => [c.name, c]));
    for (const name of ['c.png', 'd.png']) expect(cases[name].classes['2'].dice).toBeCloseTo(6 / 7, 12);
    expect(cases['h.png'].classes['2'].dice).toBe(1);
    expect(cases['e.png'].error).toMatch(
      new RegExp(
        `^${join(truth, 'e.png')} is a symbolic link to .*good/truth/c\\.png, outside .* and .*: not followed$`,
      ),
    );
    expect(cases['f.png'].error).toBe(`${join(truth, 'f.png')} is a symbolic link loop: not followed`);
    expect(cases['g.png'].error).toMatch(
      new RegExp(`^${join(truth, 'g.png')} is a symbolic link to nothing \\(ENOENT\\): not followed$`),
    );
  });

  it('a missing TRUTH (or PRED) beside a directory is named as such (exit 1)', async () => {
    const r = await probe(['eval', at('good', 'pred'), at('nope')]);
    expectBounded(r, 1);
    expect(r.stderr).toBe(
      `dice-wasm: TRUTH ${at('nope')} does not exist (PRED ${at('good', 'pred')} is a directory)\n`,
    );
    const p = await probe(['eval', at('nope'), at('good', 'truth')]);
    expectBounded(p, 1);
    expect(p.stderr).toBe(
      `dice-wasm: PRED ${at('nope')} does not exist (TRUTH ${at('good', 'truth')} is a directory)\n`,
    );
  });
});

describe('threads (D6)', () => {
  it('--threads far above the cores is capped at their number, and says so', async () => {
    for (const side of ['pred', 'truth'] as const) {
      for (const name of ['a', 'b', 'c'])
        write(at('threads', side, `${name}.png`), pngFile(4, 4, { pixels: side === 'pred' ? PRED : TRUTH }));
    }
    const r = await probe(
      ['eval', at('threads', 'pred'), at('threads', 'truth'), '--threads', '1000', '--format', 'json'],
      { heapMiB: 512 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `dice-wasm: --threads 1000 capped at ${availableParallelism()}, the cores of this machine`,
    );
    // A worker thread costs about 30 MiB: the memory of the cores' threads, not of 1000.
    expect(r.maxRssMiB).toBeLessThan(MEMORY_MIB + 40 * availableParallelism());
    for (const c of JSON.parse(r.stdout).cases) expect(c.classes['1'].dice).toBeCloseTo(0.8, 12);
  });
});
