// `dice-wasm eval` end to end (the built dist/cli/main.js, as `npm start` runs it) on examples/
// and on files written here. The expected numbers come from the hand counts of examples/README.md:
// every class of the samples is a box, so TP, FP and FN are products of side lengths, and the
// metrics are computed here from those counts with the textbook formulas.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFreshDist } from '../support/fresh-build.js';
import { repositoryRoot } from '../support/packed.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// The CLI runs from dist/: not a stale one.
beforeAll(() => assertFreshDist());

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['dist/cli/main.js', ...args],
      { cwd: repositoryRoot, env, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}
const none: Counts = { tp: 0, fp: 0, fn: 0 };

/** examples/README.md: counts per case and class (16×12 PNGs: 192 pixels; the volume 8×8×4: 256 voxels). */
const KNOWN: Record<string, { voxels: number; classes: Record<number, Counts> }> = {
  'case-a.png': { voxels: 192, classes: { 1: { tp: 30, fp: 6, fn: 6 }, 2: { tp: 24, fp: 0, fn: 8 }, 3: none } },
  'case-b.png': {
    voxels: 192,
    classes: { 1: { tp: 32, fp: 0, fn: 16 }, 2: { tp: 0, fp: 16, fn: 0 }, 3: { tp: 48, fp: 0, fn: 0 } },
  },
  'case-c.png': { voxels: 192, classes: { 1: { tp: 32, fp: 16, fn: 0 }, 2: none, 3: { tp: 0, fp: 0, fn: 16 } } },
  'volume.nii.gz': { voxels: 256, classes: { 1: { tp: 48, fp: 0, fn: 16 }, 2: { tp: 18, fp: 18, fn: 0 }, 3: none } },
};
const CASES = Object.keys(KNOWN);

type Empty = 'nan' | 'one' | 'zero' | 'formula';

/** The textbook formulas (README, Metric names); 0/0 is NaN. */
function expected(metric: string, { tp, fp, fn }: Counts, voxels: number, empty: Empty = 'nan', beta = 1): number {
  const tn = voxels - tp - fp - fn;
  const ratio = (a: number, b: number) => (b === 0 ? NaN : a / b);
  const b2 = beta * beta;
  const value = {
    dice: ratio(2 * tp, 2 * tp + fp + fn),
    iou: ratio(tp, tp + fp + fn),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    fbeta: ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp),
    accuracy: (tp + tn) / voxels,
    mcc: ratio(tp * tn - fp * fn, Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))),
    volumeSimilarity: ratio(2 * tp + fp + fn - Math.abs(fn - fp), 2 * tp + fp + fn),
  }[metric]!;
  if (tp + fn > 0 || empty === 'formula') return value; // the class is in the truth
  if (empty === 'nan') return NaN;
  if (fp > 0) return value; // predicted where there is nothing: the formula
  return empty === 'one' ? 1 : 0;
}

/** Mean, population standard deviation and count of the non-NaN values. */
function summary(values: number[]): { mean: number; std: number; n: number } {
  const v = values.filter((x) => !Number.isNaN(x));
  const mean = v.reduce((a, x) => a + x, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / v.length), n: v.length };
}

interface JsonReport {
  cases: {
    name: string;
    pred: string | null;
    truth: string | null;
    spacing?: number[];
    classes: Record<string, Record<string, number | null>>;
    error?: string;
  }[];
  summary: Record<string, Record<string, { mean: number | null; std: number | null; n: number }>>;
}

const nullToNaN = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);

function expectClose(actual: number | null | undefined, want: number): void {
  if (Number.isNaN(want)) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(want, 12);
}

function checkCase(
  report: JsonReport,
  name: string,
  caseName: string,
  metrics: string[],
  empty: Empty = 'nan',
  beta = 1,
): void {
  const found = report.cases.find((c) => c.name === caseName)!;
  const known = KNOWN[name];
  expect(found.error).toBeUndefined();
  expect(Object.keys(found.classes)).toEqual(['1', '2', '3']);
  for (const label of [1, 2, 3]) {
    for (const m of metrics)
      expectClose(found.classes[label][m], expected(m, known.classes[label], known.voxels, empty, beta));
  }
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'dice-wasm-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory `scratch/name` with pred/ and truth/ subdirectories. */
function pairDirs(name: string): { pred: string; truth: string } {
  const pred = join(scratch, name, 'pred'),
    truth = join(scratch, name, 'truth');
  mkdirSync(pred, { recursive: true });
  mkdirSync(truth, { recursive: true });
  return { pred, truth };
}

/** case-a's label maps, as the PNG decoder of fast-png (not the CLI's reader) reads them. */
function caseA(side: 'pred' | 'truth'): { width: number; height: number; labels: Uint8Array } {
  const png = decode(readFileSync(join(repositoryRoot, 'examples', side, 'case-a.png')));
  return { width: png.width, height: png.height, labels: Uint8Array.from(png.data) };
}

/** A NumPy .npy file (format 1.0) of `values` with dtype `descr` (e.g. '<u2') and `shape`. */
function npy(descr: string, shape: number[], values: ArrayLike<number>): Buffer {
  const types: Record<string, [number, (b: Buffer, v: number, at: number) => void]> = {
    '|u1': [1, (b, v, at) => b.writeUInt8(v, at)],
    '<u2': [2, (b, v, at) => b.writeUInt16LE(v, at)],
    '>u2': [2, (b, v, at) => b.writeUInt16BE(v, at)],
    '<i4': [4, (b, v, at) => b.writeInt32LE(v, at)],
    '<f4': [4, (b, v, at) => b.writeFloatLE(v, at)],
    '<f8': [8, (b, v, at) => b.writeDoubleLE(v, at)],
    '<i8': [8, (b, v, at) => b.writeBigInt64LE(BigInt(v), at)],
  };
  const [size, write] = types[descr];
  const dims = `${shape.join(', ')}${shape.length === 1 ? ',' : ''}`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header = `${header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11)}\n`;
  const prefix = Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from('NUMPY\x01\x00', 'latin1'),
    Buffer.alloc(2),
    Buffer.from(header, 'latin1'),
  ]);
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) write(body, values[i], i * size);
  return Buffer.concat([prefix, body]);
}

describe('dice-wasm eval on examples/', () => {
  it('prints the table with the known values and summary, exit 0, nothing on stderr', async () => {
    const { code, stdout, stderr } = await run(['eval', 'examples/pred', 'examples/truth']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const dice1 = summary(CASES.map((name) => expected('dice', KNOWN[name].classes[1], KNOWN[name].voxels)));
    const iou3 = summary(CASES.map((name) => expected('iou', KNOWN[name].classes[3], KNOWN[name].voxels)));
    expect(dice1.n).toBe(4);
    const cell = (s: { mean: number; std: number; n: number }) =>
      `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)} (n=${s.n})`;
    expect(stdout).toMatch(new RegExp(`^1 +${escapeRegExp(cell(dice1))} `, 'm'));
    expect(stdout).toMatch(new RegExp(`^3 +\\S+ ± \\S+ \\(n=2\\) +${escapeRegExp(cell(iou3))}$`, 'm'));
    expect(stdout).toMatch(/^case-a\.png +1 +0\.8333 +0\.7143$/m);
    expect(stdout).toMatch(/^volume\.nii\.gz +1 +0\.8571 +0\.7500$/m);
  });

  it('JSON: every case, class and metric as counted by hand; summary mean, std and n per class', async () => {
    const metrics = ['dice', 'iou', 'precision', 'recall', 'specificity'];
    const { code, stdout } = await run([
      'eval',
      'examples/pred',
      'examples/truth',
      '--format',
      'json',
      '--metrics',
      metrics.join(','),
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as JsonReport;
    expect(Object.keys(report)).toEqual(['cases', 'summary']);
    expect(report.cases.map((c) => c.name)).toEqual(CASES);
    expect(report.cases[0]).toMatchObject({
      pred: join('examples/pred', 'case-a.png'),
      truth: join('examples/truth', 'case-a.png'),
    });
    for (const name of CASES) checkCase(report, name, name, metrics);
    expect(Object.keys(report.summary)).toEqual(['1', '2', '3']);
    for (const label of [1, 2, 3]) {
      for (const m of metrics) {
        const want = summary(CASES.map((name) => expected(m, KNOWN[name].classes[label], KNOWN[name].voxels)));
        const got = report.summary[label][m];
        expect(got.n).toBe(want.n);
        expectClose(got.mean, want.mean);
        expectClose(got.std, want.std);
      }
    }
  });

  it('CSV: one row per case and class, parsing back to the JSON numbers', async () => {
    const args = ['eval', 'examples/pred', 'examples/truth', '--metrics', 'dice,iou,recall'];
    const [csv, json] = await Promise.all([run([...args, '--format', 'csv']), run([...args, '--format', 'json'])]);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('case,class,dice,iou,recall');
    expect(lines).toHaveLength(1 + 4 * 3);
    const report = JSON.parse(json.stdout) as JsonReport;
    for (const line of lines.slice(1)) {
      const [name, label, ...values] = line.split(',');
      const row = report.cases.find((c) => c.name === name)!.classes[label];
      expect(values.map(Number)).toEqual(['dice', 'iou', 'recall'].map((m) => nullToNaN(row[m])));
    }
  });

  it('fbeta (--beta), accuracy, mcc and volumeSimilarity: every case and class from the hand counts', async () => {
    const metrics = ['fbeta', 'accuracy', 'mcc', 'volumeSimilarity'];
    for (const beta of [undefined, 2, 0.5, 0]) {
      const { code, stdout, stderr } = await run([
        'eval',
        'examples/pred',
        'examples/truth',
        '--format',
        'json',
        '--metrics',
        metrics.join(','),
        ...(beta === undefined ? [] : ['--beta', String(beta)]),
      ]);
      expect([code, stderr]).toEqual([0, '']);
      const report = JSON.parse(stdout) as JsonReport;
      for (const name of CASES) checkCase(report, name, name, metrics, 'nan', beta ?? 1);
      // Spelled out for case-b label 1 (TP 32, FP 0, FN 16, TN 192 − 48 = 144) and the volume's
      // label 2 (TP 18, FP 18, FN 0, TN 256 − 36 = 220).
      const b1 = report.cases[1].classes[1];
      const v2 = report.cases[3].classes[2];
      if (beta === undefined) expectClose(b1.fbeta, 64 / 80); // β = 1: Dice
      if (beta === 2) expectClose(b1.fbeta, (5 * 32) / (5 * 32 + 4 * 16));
      if (beta === 0.5) expectClose(b1.fbeta, (1.25 * 32) / (1.25 * 32 + 0.25 * 16));
      if (beta === 0) expectClose(b1.fbeta, 1); // β = 0: precision, 32/32
      expectClose(b1.accuracy, 176 / 192);
      expectClose(b1.mcc, Math.sqrt(0.6)); // 32·144 / √(32·48·144·160) = 4608/√35389440
      expectClose(b1.volumeSimilarity, 1 - 16 / 80);
      expectClose(v2.accuracy, 238 / 256);
      expectClose(v2.mcc, (18 * 220) / Math.sqrt(36 * 18 * 238 * 220));
      expectClose(v2.volumeSimilarity, 1 - 18 / 54);
      expectClose(report.cases[2].classes[3].volumeSimilarity, 0); // case-c label 3: missed entirely
    }
    // The table and CSV name the columns as given.
    const csv = await run([
      'eval',
      'examples/pred',
      'examples/truth',
      '--metrics',
      'fbeta,acc,vs',
      '--beta',
      '2',
      '--format',
      'csv',
    ]);
    expect(csv.stdout.split('\n')[0]).toBe('case,class,fbeta,acc,vs');
    expect(csv.stdout).toContain(`case-b.png,1,${(5 * 32) / (5 * 32 + 4 * 16)},${176 / 192},${1 - 16 / 80}`);
  });

  it('--empty decides classes absent from the truth: one, zero, formula', async () => {
    for (const empty of ['one', 'zero', 'formula'] as const) {
      const { stdout } = await run(['eval', 'examples/pred', 'examples/truth', '--format', 'json', '--empty', empty]);
      const report = JSON.parse(stdout) as JsonReport;
      for (const name of CASES) checkCase(report, name, name, ['dice', 'iou'], empty);
    }
  });

  it('--include-background reports label 0 (case-a: TP 118, FP 14, FN 6 by hand)', async () => {
    const { code, stdout } = await run([
      'eval',
      'examples/pred/case-a.png',
      'examples/truth/case-a.png',
      '--format',
      'json',
      '--include-background',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as JsonReport;
    expect(Object.keys(report.cases[0].classes)).toEqual(['0', '1', '2']);
    expectClose(report.cases[0].classes[0].dice, expected('dice', { tp: 118, fp: 14, fn: 6 }, 192));
    expectClose(report.cases[0].classes[1].dice, expected('dice', KNOWN['case-a.png'].classes[1], 192));
  });

  it('--num-classes reports every class below it, also those found nowhere (n = 0, null)', async () => {
    const { stdout } = await run(['eval', 'examples/pred', 'examples/truth', '--format', 'json', '--num-classes', '5']);
    const report = JSON.parse(stdout) as JsonReport;
    expect(Object.keys(report.summary)).toEqual(['1', '2', '3', '4']);
    expect(report.summary[4].dice).toEqual({ mean: null, std: null, n: 0 });
    expect(report.cases[0].classes[4].dice).toBeNull();
  });

  it('--output writes the report to a file; --threads 2 and 3 give the same report as one thread', async () => {
    const out = join(scratch, 'report.json');
    const { code, stdout, stderr } = await run([
      'eval',
      'examples/pred',
      'examples/truth',
      '--format',
      'json',
      '--output',
      out,
      '--threads',
      '2',
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toBe('');
    const threaded = readFileSync(out, 'utf8');
    for (const name of CASES) checkCase(JSON.parse(threaded) as JsonReport, name, name, ['dice', 'iou']);
    const single = await run(['eval', 'examples/pred', 'examples/truth', '--format', 'json', '--threads', '1']);
    const three = await run(['eval', 'examples/pred', 'examples/truth', '--format', 'json', '--threads', '3']);
    expect(threaded).toBe(single.stdout);
    expect(three.stdout).toBe(single.stdout);
  });

  it('draws a progress bar with cases/s on a terminal (under script(1)), nothing when stderr is not one', async () => {
    const { code, stdout } = await new Promise<Run>((done) => {
      execFile(
        'script',
        [
          '-qec',
          `${process.execPath} dist/cli/main.js eval examples/pred examples/truth --output ${join(scratch, 'tty.txt')}`,
          '/dev/null',
        ],
        { cwd: repositoryRoot },
        (error, out, err) => done({ code: error ? Number(error.code) : 0, stdout: out, stderr: err }),
      );
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/\[#{24}\] 4\/4 cases, [\d.]+ cases\/s/);
  });
});

describe('dice-wasm eval on every format', () => {
  it("NumPy .npy (uint8, big-endian uint16, int32, int64, float32, float64 labels): case-a's numbers", async () => {
    const { pred, truth } = pairDirs('npy');
    const p = caseA('pred'),
      t = caseA('truth');
    const shape = [p.height, p.width];
    for (const descr of ['|u1', '>u2', '<i4', '<i8', '<f4', '<f8']) {
      const name = `case-${descr.replace(/[<>|]/, '')}.npy`;
      writeFileSync(join(pred, name), npy(descr, shape, p.labels));
      writeFileSync(join(truth, name), npy(descr, shape, t.labels));
    }
    const { code, stdout, stderr } = await run([
      'eval',
      pred,
      truth,
      '--format',
      'json',
      '--metrics',
      'dice,iou,precision,recall',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.cases).toHaveLength(6);
    for (const c of report.cases) {
      expect(Object.keys(c.classes)).toEqual(['1', '2']);
      for (const label of [1, 2]) {
        for (const m of ['dice', 'iou', 'precision', 'recall'])
          expectClose(c.classes[label][m], expected(m, KNOWN['case-a.png'].classes[label], 192));
      }
    }
  });

  it("raw binary with --shape and --dtype gives case-a's numbers; a wrong size is an error naming it", async () => {
    const { pred, truth } = pairDirs('raw');
    const p = caseA('pred'),
      t = caseA('truth');
    writeFileSync(join(pred, 'case-a.raw'), Buffer.from(Uint16Array.from(p.labels).buffer));
    writeFileSync(join(truth, 'case-a.raw'), Buffer.from(Uint16Array.from(t.labels).buffer));
    const ok = await run([
      'eval',
      join(pred, 'case-a.raw'),
      join(truth, 'case-a.raw'),
      '--shape',
      `${p.height},${p.width}`,
      '--dtype',
      'uint16',
      '--format',
      'json',
    ]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as JsonReport;
    expectClose(report.cases[0].classes[1].dice, expected('dice', KNOWN['case-a.png'].classes[1], 192));
    expectClose(report.cases[0].classes[2].iou, expected('iou', KNOWN['case-a.png'].classes[2], 192));

    const bad = await run([
      'eval',
      join(pred, 'case-a.raw'),
      join(truth, 'case-a.raw'),
      '--shape',
      '12,15',
      '--dtype',
      'uint16',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${join(pred, 'case-a.raw')} has 384 bytes; --shape 12×15 of uint16 needs 360`);
  });

  // --shape separated by ',', 'x' or '×', spaces allowed.
  it("raw binary of every --dtype, and every --shape separator, gives case-a's numbers", async () => {
    const { pred, truth } = pairDirs('raw-dtypes');
    const p = caseA('pred'),
      t = caseA('truth');
    const types: Record<string, (labels: Uint8Array) => ArrayBufferView> = {
      uint8: (l) => Uint8Array.from(l),
      int8: (l) => Int8Array.from(l),
      uint16: (l) => Uint16Array.from(l),
      int16: (l) => Int16Array.from(l),
      uint32: (l) => Uint32Array.from(l),
      int32: (l) => Int32Array.from(l),
      float32: (l) => Float32Array.from(l),
      float64: (l) => Float64Array.from(l),
      int64: (l) => BigInt64Array.from(l, (v) => BigInt(v)),
      uint64: (l) => BigUint64Array.from(l, (v) => BigInt(v)),
      // bool holds one class: label 1 of case-a.
      bool: (l) => Uint8Array.from(l, (v) => (v === 1 ? 1 : 0)),
    };
    const shapes = [
      `${p.height},${p.width}`,
      `${p.height}x${p.width}`,
      `${p.height}×${p.width}`,
      ` ${p.height} , ${p.width} `,
      `1x${p.height}x${p.width}`,
    ];
    for (const [dtype, make] of Object.entries(types)) {
      const write = (dir: string, labels: Uint8Array) => {
        const view = make(labels);
        writeFileSync(join(dir, `${dtype}.raw`), Buffer.from(view.buffer, view.byteOffset, view.byteLength));
      };
      write(pred, p.labels);
      write(truth, t.labels);
      const shape = shapes[Object.keys(types).indexOf(dtype) % shapes.length];
      const r = await run([
        'eval',
        join(pred, `${dtype}.raw`),
        join(truth, `${dtype}.raw`),
        '--shape',
        shape,
        '--dtype',
        dtype,
        '--format',
        'json',
      ]);
      expect([dtype, r.code, r.stderr]).toEqual([dtype, 0, '']);
      const classes = (JSON.parse(r.stdout) as JsonReport).cases[0].classes;
      expect(Object.keys(classes), dtype).toEqual(dtype === 'bool' ? ['1'] : ['1', '2']);
      expectClose(classes[1].dice, 60 / 72);
      expectClose(classes[1].iou, 30 / 42);
      if (dtype !== 'bool') expectClose(classes[2].dice, 48 / 56);
    }
    for (const shape of shapes) {
      const r = await run([
        'eval',
        join(pred, 'uint8.raw'),
        join(truth, 'uint8.raw'),
        '--shape',
        shape,
        '--dtype',
        'uint8',
        '--format',
        'json',
      ]);
      expect([shape, r.code]).toEqual([shape, 0]);
      expectClose((JSON.parse(r.stdout) as JsonReport).cases[0].classes[2].iou, 24 / 32);
    }
  });

  it('PNG: 16-bit labels above 255, 2-, 4- and 8-bit palettes; the index is the label', async () => {
    const { pred, truth } = pairDirs('png');
    const t = caseA('truth'),
      p = caseA('pred');
    const palette = Array.from({ length: 4 }, (_, i): [number, number, number] => [60 * i, 255 - 60 * i, 7]);
    // 16-bit grey: label 2 becomes 300.
    const to300 = (labels: Uint8Array) => Uint16Array.from(labels, (v) => (v === 2 ? 300 : v));
    writeFileSync(
      join(pred, 'wide.png'),
      encode({ width: p.width, height: p.height, depth: 16, channels: 1, data: to300(p.labels) }),
    );
    writeFileSync(
      join(truth, 'wide.png'),
      encode({ width: t.width, height: t.height, depth: 16, channels: 1, data: to300(t.labels) }),
    );
    for (const depth of [2, 4, 8] as const) {
      for (const [dir, image] of [
        [pred, p],
        [truth, t],
      ] as const) {
        const data = pack(image.labels, image.width, image.height, depth);
        writeFileSync(
          join(dir, `palette-${depth}.png`),
          encode({ width: image.width, height: image.height, depth, channels: 1, palette, data }),
        );
      }
    }
    const { code, stdout, stderr } = await run(['eval', pred, truth, '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as JsonReport;
    expect(Object.keys(report.summary)).toEqual(['1', '2', '300']);
    const wide = report.cases.find((c) => c.name === 'wide.png')!;
    expectClose(wide.classes[300].dice, expected('dice', KNOWN['case-a.png'].classes[2], 192));
    expect(wide.classes[2].dice).toBeNull();
    for (const depth of [2, 4, 8]) {
      const c = report.cases.find((x) => x.name === `palette-${depth}.png`)!;
      expectClose(c.classes[1].dice, expected('dice', KNOWN['case-a.png'].classes[1], 192));
      expectClose(c.classes[2].iou, expected('iou', KNOWN['case-a.png'].classes[2], 192));
    }
  });

  it('--threshold reads float32 probability maps as label 1 above it; --ignore-index drops truth voxels', async () => {
    const { pred, truth } = pairDirs('threshold');
    // 4×4: probabilities by row 0.9, 0.6, 0.4, 0.1; truth 1 on the first two rows but one voxel,
    // and 255 (ignored) on the last row. Counted by hand for threshold 0.5: TP 7, FP 1, FN 0
    // (the last row is ignored); for 0.3: TP 7, FP 5, FN 0.
    const probs = Float32Array.from({ length: 16 }, (_, i) => [0.9, 0.6, 0.4, 0.1][i >> 2]);
    const labels = Uint8Array.from({ length: 16 }, (_, i) => (i >= 12 ? 255 : i < 8 && i !== 5 ? 1 : 0));
    writeFileSync(join(pred, 'p.npy'), npy('<f4', [4, 4], probs));
    writeFileSync(join(truth, 'p.npy'), npy('|u1', [4, 4], labels));
    const at = async (threshold: string) => {
      const r = await run([
        'eval',
        pred,
        truth,
        '--threshold',
        threshold,
        '--ignore-index',
        '255',
        '--format',
        'json',
        '--metrics',
        'dice,precision,recall',
      ]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as JsonReport).cases[0].classes[1];
    };
    const half = await at('0.5');
    expectClose(half.dice, expected('dice', { tp: 7, fp: 1, fn: 0 }, 12));
    expectClose(half.precision, 7 / 8);
    const low = await at('0.3');
    expectClose(low.precision, 7 / 12);
    expectClose(low.recall, 1);

    const refused = await run(['eval', pred, truth, '--ignore-index', '255']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/p\.npy holds 0\.8999\d* at voxel 0; pass --threshold if this is a probability map/);
  });
});

// Surface distances of examples/README.md, derived by hand from the boxes: per case and class,
// the distances from each surface voxel of the prediction to the truth's surface (P→G) and back
// (G→P), as [distance, how many] (spacing units: 1 per pixel for the PNGs, the NIfTI header's
// 0.75 × 0.75 × 2.5 mm for the volume). null: the class is in neither file; 'pred empty': the
// truth has it, the prediction not.
type Distances = [number, number][];
type SurfaceCase = { pg: Distances; gp: Distances } | null | 'pred empty';
const SURFACES: Record<string, Record<number, SurfaceCase>> = {
  'case-a.png': {
    1: {
      pg: [
        [0, 10],
        [1, 10],
      ],
      gp: [
        [0, 10],
        [1, 10],
      ],
    },
    2: {
      pg: [
        [0, 14],
        [1, 2],
      ],
      gp: [
        [0, 14],
        [1, 2],
        [2, 4],
      ],
    },
    3: null,
  },
  'case-b.png': {
    1: {
      pg: [
        [0, 14],
        [1, 2],
        [2, 4],
      ],
      gp: [
        [0, 14],
        [1, 2],
        [2, 8],
      ],
    },
    2: null, // predicted only: not scored under --empty nan
    3: { pg: [[0, 24]], gp: [[0, 24]] },
  },
  'case-c.png': {
    1: {
      pg: [
        [0, 14],
        [1, 2],
        [2, 8],
      ],
      gp: [
        [0, 14],
        [1, 2],
        [2, 4],
      ],
    },
    2: null,
    3: 'pred empty',
  },
  'volume.nii.gz': {
    1: {
      pg: [
        [0, 40],
        [0.75, 4],
      ],
      gp: [
        [0, 40],
        [2.5, 16],
      ],
    },
    2: {
      pg: [
        [0, 16],
        [2.5, 18],
      ],
      gp: [
        [0, 16],
        [0.75, 2],
      ],
    },
    3: null,
  },
};

const expand = (d: Distances): number[] => d.flatMap(([value, count]) => new Array<number>(count).fill(value));

/** numpy.percentile's default (linear interpolation between the two nearest ranks). */
function percentileOf(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1),
    below = Math.floor(rank);
  return below + 1 < sorted.length
    ? sorted[below] + (sorted[below + 1] - sorted[below]) * (rank - below)
    : sorted[below];
}

/** The textbook definitions (Hausdorff, its percentile, ASSD, ASD, NSD at τ) of one case's distances. */
function surfaceExpected(metric: string, c: SurfaceCase, { tolerance = 1, percentile = 95 } = {}): number {
  if (c === null) return NaN;
  if (c === 'pred empty') return metric === 'nsd' ? 0 : Infinity;
  const pg = expand(c.pg),
    gp = expand(c.gp);
  const sum = (v: number[]) => v.reduce((a, x) => a + x, 0);
  const within = (v: number[]) => v.filter((d) => d <= tolerance).length;
  return {
    hd: Math.max(...pg, ...gp),
    hd95: Math.max(percentileOf(pg, percentile), percentileOf(gp, percentile)),
    assd: (sum(pg) + sum(gp)) / (pg.length + gp.length),
    asd: sum(pg) / pg.length,
    nsd: (within(pg) + within(gp)) / (pg.length + gp.length),
  }[metric]!;
}

/** JSON writes NaN as null and +∞ as "Infinity". */
function expectValue(actual: unknown, want: number): void {
  if (want === Infinity) expect(actual).toBe('Infinity');
  else expectClose(actual as number | null, want);
}

describe('dice-wasm eval: surface distances', () => {
  const SURFACE_METRICS = ['hd', 'hd95', 'assd', 'asd', 'nsd'];

  // The volume's anisotropic spacing comes from its NIfTI header; summary, CSV, table and --threads 2 agree.
  it('hd, hd95, assd, asd and nsd beside dice on examples/, as derived by hand', async () => {
    const args = [
      'eval',
      'examples/pred',
      'examples/truth',
      '--metrics',
      ['dice', ...SURFACE_METRICS].join(','),
      '--tolerance',
      '1',
    ];
    const [json, threaded, csv, table] = await Promise.all([
      run([...args, '--format', 'json']),
      run([...args, '--format', 'json', '--threads', '2']),
      run([...args, '--format', 'csv']),
      run(args),
    ]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.cases.map((c) => c.spacing)).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
      [0.75, 0.75, 2.5],
    ]);
    for (const name of CASES) {
      const found = report.cases.find((c) => c.name === name)!;
      for (const label of [1, 2, 3]) {
        expectClose(found.classes[label].dice, expected('dice', KNOWN[name].classes[label], KNOWN[name].voxels));
        for (const m of SURFACE_METRICS)
          expectValue(found.classes[label][m], surfaceExpected(m, SURFACES[name][label]));
      }
    }
    for (const label of [1, 2, 3]) {
      for (const m of SURFACE_METRICS) {
        const values = CASES.map((name) => surfaceExpected(m, SURFACES[name][label]));
        const want = summary(values);
        const got = report.summary[label][m];
        expect(got.n).toBe(want.n);
        expectValue(got.mean, want.mean);
        // Label 3's distances hold +∞ (case-c): their mean is +∞ and their spread undefined.
        if (Number.isFinite(want.mean)) expectClose(got.std, want.std);
        else expect(got.std).toBeNull();
      }
    }
    expect(threaded.stdout).toBe(json.stdout);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`case,class,dice,${SURFACE_METRICS.join(',')}`);
    expect(lines).toContain('case-c.png,3,0,Infinity,Infinity,Infinity,Infinity,0');
    expect(table.stdout).toMatch(/^volume\.nii\.gz +1 +0\.8571 +2\.5000 +2\.5000 +0\.4300 +0\.0682 +0\.8400$/m);
  });

  // Per axis in the file's order: NIfTI x, y, z; PNG rows, columns.
  it("--spacing replaces the header's, in the file's axis order; --percentile interpolates", async () => {
    const [volume, png] = await Promise.all([
      run([
        'eval',
        'examples/pred/volume.nii.gz',
        'examples/truth/volume.nii.gz',
        '--metrics',
        'hd,assd',
        '--spacing',
        '1,1,3',
        '--format',
        'json',
      ]),
      run([
        'eval',
        'examples/pred/case-a.png',
        'examples/truth/case-a.png',
        '--metrics',
        'hd,hd95',
        '--spacing',
        '2,0.5',
        '--percentile',
        '80',
        '--format',
        'json',
      ]),
    ]);
    expect(volume.code).toBe(0);
    const v = (JSON.parse(volume.stdout) as JsonReport).cases[0];
    // Label 1 with 1 × 1 × 3 voxels: P→G 4 voxels one x-step (1) off the truth's side, G→P the
    // truth's bottom slice (16 voxels) one z-step (3) below the prediction.
    const label1 = {
      pg: [
        [0, 40],
        [1, 4],
      ],
      gp: [
        [0, 40],
        [3, 16],
      ],
    } as SurfaceCase;
    expectClose(v.classes[1].hd, 3);
    expectClose(v.classes[1].assd, surfaceExpected('assd', label1));
    expect(png.code).toBe(0);
    const a = (JSON.parse(png.stdout) as JsonReport).cases[0];
    // case-a with rows 2 apart and columns 0.5: label 1 is shifted by a column (0.5); label 2's
    // truth reaches 1 and 2 rows (2 and 4) above the prediction, which P→G sees a column (0.5) off.
    expectClose(a.classes[1].hd, 0.5);
    const label2 = {
      pg: [
        [0, 14],
        [0.5, 2],
      ],
      gp: [
        [0, 14],
        [2, 2],
        [4, 4],
      ],
    } as SurfaceCase;
    expectClose(a.classes[2].hd, 4);
    expectClose(a.classes[2].hd95, surfaceExpected('hd95', label2, { percentile: 80 }));
    expectClose(a.classes[2].hd95, 2.4); // G→P: 80th of 14 × 0, 2 × 2, 4 × 4 = 2 + 0.2 · 2
  });

  // A --spacing of the wrong length is an error of the pair, naming the file (exit 1).
  it('bad --spacing, --tolerance or --percentile exit 2 naming the option', async () => {
    const usage = await Promise.all(
      [
        ['--spacing', '0.8,abc'],
        ['--spacing', '1,0'],
        ['--spacing=-1,1'],
        ['--spacing', '1,,2'],
        ['--spacing', ''],
      ].map((flag) => run(['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd', ...flag])),
    );
    for (const r of usage) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        '--spacing must be numbers in [1e-100, 1e+100] separated by commas, one per axis of the files in their ' +
          'axis order',
      );
    }
    const wrong = await run([
      'eval',
      'examples/pred/case-a.png',
      'examples/truth/case-a.png',
      '--metrics',
      'hd',
      '--spacing',
      '1,1,1',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      `--spacing gives 3 values (1,1,1) but ${join('examples/truth', 'case-a.png')} has 2 axes (12×16)`,
    );
  });
});

describe('dice-wasm eval errors', () => {
  it.each([1, 2])(
    'an unreadable file, a missing partner, mismatched shapes are named; the others reported; exit 1 (--threads %i)',
    async (threads) => {
      const { pred, truth } = pairDirs(`errors-${threads}`);
      for (const name of CASES) {
        copyFileSync(join(repositoryRoot, 'examples/pred', name), join(pred, name));
        copyFileSync(join(repositoryRoot, 'examples/truth', name), join(truth, name));
      }
      writeFileSync(join(pred, 'broken.png'), 'not a png');
      copyFileSync(join(repositoryRoot, 'examples/truth/case-a.png'), join(truth, 'broken.png'));
      copyFileSync(join(repositoryRoot, 'examples/truth/case-a.png'), join(truth, 'lonely.png'));
      // The truth volume with its last slice cut: dim[3] = 3.
      const nii = gunzipSync(readFileSync(join(repositoryRoot, 'examples/truth/volume.nii.gz')));
      nii.writeInt16LE(3, 46);
      writeFileSync(join(truth, 'short.nii'), nii.subarray(0, 352 + 8 * 8 * 3));
      writeFileSync(
        join(pred, 'short.nii'),
        gunzipSync(readFileSync(join(repositoryRoot, 'examples/pred/volume.nii.gz'))),
      );

      const { code, stdout, stderr } = await run([
        'eval',
        pred,
        truth,
        '--format',
        'json',
        '--threads',
        String(threads),
      ]);
      expect(code).toBe(1);
      const report = JSON.parse(stdout) as JsonReport;
      expect(report.cases.map((c) => c.name)).toEqual([...CASES, 'broken.png', 'lonely.png', 'short.nii'].sort());
      const errors = Object.fromEntries(report.cases.filter((c) => c.error).map((c) => [c.name, c.error]));
      expect(Object.keys(errors).sort()).toEqual(['broken.png', 'lonely.png', 'short.nii']);
      expect(errors['broken.png']).toContain(`${join(pred, 'broken.png')} is not a readable PNG`);
      expect(errors['lonely.png']).toBe(
        `no prediction: ${join(truth, 'lonely.png')} has no file of the same name in ${pred}`,
      );
      expect(errors['short.nii']).toBe(
        `NIfTI dimensions differ: ${join(pred, 'short.nii')} is 8×8×4, ${join(truth, 'short.nii')} is 8×8×3`,
      );
      for (const [name, error] of Object.entries(errors)) expect(stderr).toContain(`dice-wasm: ${name}: ${error}`);
      for (const name of CASES) checkCase(report, name, name, ['dice', 'iou']);
      expect(report.summary[1].dice.n).toBe(4);
      expectClose(
        report.summary[1].dice.mean,
        summary(CASES.map((name) => expected('dice', KNOWN[name].classes[1], KNOWN[name].voxels))).mean,
      );
    },
  );

  it('a colour PNG and a missing file are errors naming the file (exit 1)', async () => {
    const rgb = join(scratch, 'rgb.png');
    writeFileSync(rgb, encode({ width: 2, height: 2, depth: 8, channels: 3, data: new Uint8Array(12) }));
    const colour = await run(['eval', rgb, 'examples/truth/case-a.png']);
    expect(colour.code).toBe(1);
    expect(colour.stderr).toContain(`${rgb} is a RGB PNG; masks must be one channel`);
    const missing = await run(['eval', join(scratch, 'nope.png'), 'examples/truth/case-a.png']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(scratch, 'nope.png')} cannot be read (ENOENT)`);
  });

  it.each<[string[], RegExp]>([
    [['eval', 'examples/pred', 'examples/truth', '--frobnicate'], /unknown option '--frobnicate'/],
    [
      ['eval', 'examples/pred', 'examples/truth', '--treshold', '0.5'],
      /unknown option '--treshold' \(did you mean '--threshold'\?\)/,
    ],
    [['eval', 'examples/pred'], /eval takes two paths, PRED and TRUTH; got 1/],
    [
      ['eval', 'examples/pred', 'examples/truth', '--format', 'xml'],
      /--format must be one of table, csv, json; got 'xml'/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'dise'],
      /--metrics\[0\] 'dise' is not a metric this library knows \(did you mean 'dice'\?\)/,
    ],
    [['eval', 'examples/pred', 'examples/truth', '--metrics', 'gds'], /'gds' is one score per case, not per class/],
    [['eval', 'examples/pred', 'examples/truth', '--empty', 'skip'], /--empty must be one of nan, one, zero, formula/],
    [
      ['eval', 'examples/pred', 'examples/truth', '--num-classes', '0'],
      /--num-classes must be an integer in \[1, 65536\]; got '0'/,
    ],
    [['eval', 'examples/pred', 'examples/truth', '--shape', '4,4'], /raw binary files need both --shape and --dtype/],
    [
      ['eval', 'examples/pred', 'examples/truth', '--shape', '4,4', '--dtype', 'uint7'],
      /--dtype must be one of bool, uint8/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth/case-a.png'],
      /PRED and TRUTH must both be files or both be directories/,
    ],
    [['eval', 'examples/pred', 'examples/truth', '--metrics', 'dice,nsd'], /nsd needs --tolerance T/],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd', '--tolerance', '1'],
      /--tolerance is for nsd, which --metrics does not ask for/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd95', '--percentile', '101'],
      /--percentile must be between 0 and 100; got '101'/,
    ],
    [['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd', '--percentile', '90'], /--percentile is for hd95/],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd95,dice', '--empty', 'one'],
      /--empty one scores an empty prediction of an empty truth 1, which is not a distance \('hd95'\)/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd96'],
      /--metrics\[0\] 'hd96' is not a metric this library knows/,
    ],
    [['frobnicate'], /unknown command or argument 'frobnicate'/],
    [['eval'], /^dice-wasm eval: eval takes two paths, PRED and TRUTH; got 0\n/],
    [['eval', 'a', 'b', 'c'], /^dice-wasm eval: eval takes two paths, PRED and TRUTH; got 3 \(a b c\)\n/],
    [[], /^Usage: dice-wasm <command>\n/],
    // Every numeric flag, each way it can be wrong.
    ...(
      [
        ['--num-classes', 'abc', "--num-classes must be an integer in [1, 65536]; got 'abc'"],
        ['--num-classes', '2.5', "--num-classes must be an integer in [1, 65536]; got '2.5'"],
        ['--ignore-index', '-1', "--ignore-index must be an integer ≥ 0; got '-1'"],
        ['--ignore-index', 'x', "--ignore-index must be an integer ≥ 0; got 'x'"],
        ['--threshold', 'abc', "--threshold must be a number; got 'abc'"],
        ['--threshold', 'Infinity', "--threshold must be a number; got 'Infinity'"],
        ['--threshold', '', "--threshold must be a number; got ''"],
        ['--beta', '-1', "--beta must be ≥ 0; got '-1'"],
        ['--beta', 'x', "--beta must be a number; got 'x'"],
        ['--threads', '0', "--threads must be an integer ≥ 1; got '0'"],
        ['--threads', '1.5', "--threads must be an integer ≥ 1; got '1.5'"],
        ['--threads', 'two', "--threads must be an integer ≥ 1; got 'two'"],
      ] as const
    ).map(([flag, value, message]): [string[], RegExp] => [
      ['eval', 'examples/pred', 'examples/truth', `${flag}=${value}`],
      new RegExp(`dice-wasm eval: ${escapeRegExp(message)}\n`),
    ]),
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'nsd', '--tolerance=-1'],
      /--tolerance must be ≥ 0; got '-1'/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'nsd', '--tolerance', 'x'],
      /--tolerance must be a number; got 'x'/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd95', '--percentile', 'x'],
      /--percentile must be a number; got 'x'/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--metrics', 'hd95', '--percentile=-5'],
      /--percentile must be between 0 and 100; got '-5'/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--shape', '4,0', '--dtype', 'uint8'],
      /--shape must be an integer ≥ 1; got '0'/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--shape', '4xa', '--dtype', 'uint8'],
      /--shape must be an integer ≥ 1; got 'a'/,
    ],
    [
      ['eval', 'examples/pred', 'examples/truth', '--shape', '4,,4', '--dtype', 'uint8'],
      /--shape must be an integer ≥ 1; got ''/,
    ],
  ])('bad usage exits 2: %j', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('--help prints the options and exits 0', async () => {
    const { code, stdout } = await run(['eval', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: dice-wasm eval PRED TRUTH/);
    expect(stdout).toMatch(/Exit codes: 0 .* 1 .* 2 bad usage/s);
  });
});

/** PNG sample packing below 8 bits: high bits first, each row starting on a byte. */
function pack(labels: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * rowBytes + (bit >> 3)] |= labels[y * width + x] << (8 - depth - (bit % 8));
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('dice-wasm bench', () => {
  it("runs the repository's Dice benchmark with the arguments given and prints its table", async () => {
    const { code, stdout } = await run(['bench', '--sizes=4K', '--cases=binary']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^binary: /m);
    expect(stdout).toMatch(/^WASM \w+ zero-copy +\S+ µs +[\d.]+×$/m);
    expect(stdout).toContain('bench/results/partial.tmp.json');
  });
});
