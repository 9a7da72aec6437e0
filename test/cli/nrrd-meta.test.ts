// NRRD (.nrrd raw and gzip, .nhdr + data file) and MetaImage (.mha, .mhd + .raw / .zraw) read by
// `dice-wasm eval`, from headers written here by hand after the formats' specifications: the
// shape in the header's order (first axis fastest), the spacing from `spacings` / `space
// directions` / ElementSpacing, little- and big-endian voxels; and the same untrusted-input checks
// as the other readers (voxel limit, sizes against the file, bounded inflate, data files only
// beside the header).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/packed.js';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['dist/cli/main.js', ...args], { cwd: repositoryRoot }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'dice-wasm-nrrd-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// A 4×4×2 volume (x fastest): the truth holds label 1 in voxels 0–7, the prediction in 4–11:
// TP 4, FP 4, FN 4, so Dice = 8/16 = 0.5 and IoU = 4/12.
const N = 32;
const truth = Uint8Array.from({ length: N }, (_, i) => (i < 8 ? 1 : 0));
const pred = Uint8Array.from({ length: N }, (_, i) => (i >= 4 && i < 12 ? 1 : 0));

function uint16(values: Uint8Array, bigEndian: boolean): Buffer {
  const out = Buffer.alloc(2 * values.length);
  for (const [i, v] of values.entries()) {
    if (bigEndian) out.writeUInt16BE(v, 2 * i);
    else out.writeUInt16LE(v, 2 * i);
  }
  return out;
}

function write(dir: string, files: Record<string, Buffer | string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function evaluate(p: string, t: string, extra: string[] = []) {
  const r = await run(['eval', p, t, '--metrics', 'dice,iou,hd', '--format', 'json', ...extra]);
  return { ...r, report: r.code === 0 ? JSON.parse(r.stdout) : null };
}

const nrrd = (fields: string, data: Buffer) => Buffer.concat([Buffer.from(`NRRD0004\n${fields}\n`, 'latin1'), data]);
const mha = (fields: string, data: Buffer) => Buffer.concat([Buffer.from(fields, 'latin1'), data]);

describe('dice-wasm eval: NRRD and MetaImage', () => {
  // .nrrd raw uint8 with spacings, gzip big-endian uint16 with space directions
  it('.nrrd raw and gzip big-endian: Dice 0.5, the spacing of the header', async () => {
    const dir = join(scratch, 'nrrd');
    const raw = 'type: uint8\ndimension: 3\nsizes: 4 4 2\nencoding: raw\nspacings: 0.5 0.5 2\n';
    write(dir, {
      'pred.nrrd': nrrd(raw, Buffer.from(pred)),
      'truth.nrrd': nrrd(raw, Buffer.from(truth)),
    });
    const a = await evaluate(join(dir, 'pred.nrrd'), join(dir, 'truth.nrrd'));
    expect(a.stderr).toBe('');
    expect(a.report.cases[0].classes['1'].dice).toBe(0.5);
    expect(a.report.cases[0].classes['1'].iou).toBe(4 / 12);
    expect(a.report.cases[0].spacing).toEqual([0.5, 0.5, 2]);

    const gz =
      '# a comment\ntype: unsigned short\ndimension: 3\nsizes: 4 4 2\nendian: big\nencoding: gzip\n' +
      'space: left-posterior-superior\nspace directions: (0.5,0,0) (0,0.5,0) (0,0,2)\nkey:=value\n';
    write(dir, {
      'pred.gz.nrrd': nrrd(gz, gzipSync(uint16(pred, true))),
      'truth.gz.nrrd': nrrd(gz, gzipSync(uint16(truth, true))),
    });
    const b = await evaluate(join(dir, 'pred.gz.nrrd'), join(dir, 'truth.gz.nrrd'));
    expect(b.stderr).toBe('');
    expect(b.report.cases[0].classes).toEqual(a.report.cases[0].classes);
    expect(b.report.cases[0].spacing).toEqual([0.5, 0.5, 2]);
  }, 60_000);

  it('.nhdr + data file beside it; a data file outside the directory (by name or by link) is refused', async () => {
    const dir = join(scratch, 'nhdr');
    const header = (file: string) =>
      `NRRD0005\ntype: uint8\ndimension: 3\nsizes: 4 4 2\nencoding: raw\nspacings: 1 1 3\ndata file: ${file}\n`;
    write(dir, {
      'pred.nhdr': header('pred.raw'),
      'pred.raw': Buffer.from(pred),
      'truth.nhdr': header('truth.raw'),
      'truth.raw': Buffer.from(truth),
      'up.nhdr': header('../outside.raw'),
      'abs.nhdr': header('/etc/passwd'),
      'link.nhdr': header('link.raw'),
    });
    write(scratch, { 'outside.raw': Buffer.from(truth) });
    symlinkSync(join(scratch, 'outside.raw'), join(dir, 'link.raw'));
    const ok = await evaluate(join(dir, 'pred.nhdr'), join(dir, 'truth.nhdr'));
    expect(ok.report.cases[0].classes['1'].dice).toBe(0.5);
    expect(ok.report.cases[0].spacing).toEqual([1, 1, 3]);
    for (const [name, message] of [
      ['up.nhdr', /names its data file '\.\.\/outside\.raw' \(data file\) outside its directory/],
      ['abs.nhdr', /names its data file '\/etc\/passwd' \(data file\) outside its directory/],
      ['link.nhdr', /names its data file link\.raw, a link to .*outside\.raw, outside its directory: not followed/],
    ] as const) {
      const r = await run(['eval', join(dir, 'pred.nhdr'), join(dir, name)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${name}.*`));
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);

  it('.mha raw with ElementSpacing, .mhd + .zraw (zlib) big-endian: Dice 0.5, the spacing of the header', async () => {
    const dir = join(scratch, 'meta');
    const attached =
      'ObjectType = Image\nNDims = 3\nDimSize = 4 4 2\nElementType = MET_UCHAR\n' +
      'ElementSpacing = 0.5 0.5 2\nElementDataFile = LOCAL\n';
    write(dir, { 'pred.mha': mha(attached, Buffer.from(pred)), 'truth.mha': mha(attached, Buffer.from(truth)) });
    const a = await evaluate(join(dir, 'pred.mha'), join(dir, 'truth.mha'));
    expect(a.stderr).toBe('');
    expect(a.report.cases[0].classes['1'].dice).toBe(0.5);
    expect(a.report.cases[0].spacing).toEqual([0.5, 0.5, 2]);
    const detached = (file: string, bytes: number) =>
      'ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = True\nCompressedData = True\n' +
      `CompressedDataSize = ${bytes}\nDimSize = 4 4 2\nElementSpacing = 0.5 0.5 2\nElementType = MET_USHORT\n` +
      `ElementDataFile = ${file}\n`;
    const p = deflateSync(uint16(pred, true)),
      t = deflateSync(uint16(truth, true));
    write(dir, {
      'pred.mhd': detached('pred.zraw', p.length),
      'pred.zraw': p,
      'truth.mhd': detached('truth.zraw', t.length),
      'truth.zraw': t,
    });
    const b = await evaluate(join(dir, 'pred.mhd'), join(dir, 'truth.mhd'));
    expect(b.stderr).toBe('');
    expect(b.report.cases[0].classes).toEqual(a.report.cases[0].classes);
  }, 60_000);

  // untrusted headers: voxel limit, sizes against the file, bounded inflate, strict fields
  it('untrusted headers: each refusal named, exit 1', async () => {
    const dir = join(scratch, 'bad');
    const good = 'type: uint8\ndimension: 3\nsizes: 4 4 2\nencoding: raw\n';
    write(dir, { 'truth.nrrd': nrrd(good, Buffer.from(truth)) });
    const cases: [string, Buffer, RegExp][] = [
      [
        'huge.nrrd',
        nrrd('type: uint8\ndimension: 3\nsizes: 100000 100000 100000\nencoding: raw\n', Buffer.alloc(8)),
        /declares 100000×100000×100000 voxels, more than --max-voxels/,
      ],
      [
        'short.nrrd',
        nrrd(good, Buffer.from(pred.subarray(0, 20))),
        /holds 20 bytes of voxel data; its header declares 4×4×2 uint8 voxels, which need 32/,
      ],
      [
        'long.nrrd',
        nrrd(good, Buffer.concat([Buffer.from(pred), Buffer.alloc(5)])),
        /holds 5 bytes more than its header declares/,
      ],
      [
        'bomb.nrrd',
        nrrd(good.replace('raw', 'gzip'), gzipSync(Buffer.alloc(1 << 20))),
        /inflates to more than the 32 bytes its header declares/,
      ],
      [
        'cut.nrrd',
        nrrd(good.replace('raw', 'gzip'), gzipSync(Buffer.from(pred)).subarray(0, 15)),
        /holds data that is not a readable gzip stream|inflates to \d+ bytes/,
      ],
      [
        'type.nrrd',
        nrrd(good.replace('uint8', 'block'), Buffer.from(pred)),
        /has NRRD type 'block', not an integer or float type/,
      ],
      [
        'endian.nrrd',
        nrrd(good.replace('uint8', 'int16'), uint16(pred, false)),
        /has no NRRD 'endian: little' or 'endian: big'/,
      ],
      [
        'encoding.nrrd',
        nrrd(good.replace('raw', 'bzip2'), Buffer.from(pred)),
        /has NRRD encoding 'bzip2'; readable: raw, gzip/,
      ],
      ['twice.nrrd', nrrd(`${good}sizes: 4 4 2\n`, Buffer.from(pred)), /has the NRRD field 'sizes' twice/],
      ['magic.nrrd', Buffer.from('NRRD9\nsizes: 1\n\n'), /is not an NRRD file/],
      [
        'dims.nrrd',
        nrrd(good.replace('sizes: 4 4 2', 'sizes: 4 -4 2'), Buffer.from(pred)),
        /has sizes '4 -4 2'; sizes are 1 to 16 integers ≥ 1/,
      ],
    ];
    write(dir, Object.fromEntries(cases.map(([name, content]) => [name, content])));
    for (const [name, , message] of cases) {
      const r = await run(['eval', join(dir, name), join(dir, 'truth.nrrd'), '--max-voxels', '1000000']);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(new RegExp(name.replace('.', '\\.')));
      expect(r.stderr, name).toMatch(message);
    }
    const metaCases: [string, string, RegExp][] = [
      [
        'channels.mha',
        'NDims = 3\nDimSize = 4 4 2\nElementNumberOfChannels = 3\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n',
        /has 3 channels per voxel; masks have one/,
      ],
      [
        'type.mha',
        'NDims = 3\nDimSize = 4 4 2\nElementType = MET_COMPLEX\nElementDataFile = LOCAL\n',
        /has ElementType 'MET_COMPLEX', not an integer or float type/,
      ],
      [
        'ndims.mha',
        'NDims = 2\nDimSize = 4 4 2\nElementType = MET_UCHAR\nElementDataFile = LOCAL\n',
        /has 3 DimSize values for NDims 2/,
      ],
      ['nofile.mha', 'NDims = 3\nDimSize = 4 4 2\nElementType = MET_UCHAR\n', /no ElementDataFile/],
    ];
    write(
      dir,
      Object.fromEntries(
        metaCases.map(([name, text]) => [name, mha(text, name === 'nofile.mha' ? Buffer.alloc(0) : Buffer.from(pred))]),
      ),
    );
    for (const [name, , message] of metaCases) {
      const r = await run(['eval', join(dir, name), join(dir, 'truth.nrrd')]);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
    }
  }, 120_000);
});
