// `dice-wasm eval --shard I/N --state FILE` and `dice-wasm merge`: N local processes, merged, give
// the report of one process byte for byte (so every number bit for bit), in every format, with
// surface distances (NaN and Infinity among them) and failed pairs; and merge refuses, by name,
// parts that do not make up one run: a missing or repeated shard, other options, another
// version, another case list, a case twice, tampered or oversized states.
import { execFile, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVAL_FLAGS, parseEvalOptions, REPORT_FLAGS, reportFlags, RUN_FLAGS } from '../../src/cli/eval-options.js';
import { npyFile } from '../support/files.js';
import { repositoryRoot } from '../support/packed.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['dist/cli/main.js', ...args],
      { cwd: repositoryRoot, maxBuffer: 1 << 26 },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

let scratch: string, pred: string, truth: string;
const CASES = 23;

/** An 8×8 uint8 .npy mask. */
const mask = (labels: Uint8Array) => npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (8, 8), }", labels);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'dice-wasm-shard-'));
  pred = join(scratch, 'pred');
  truth = join(scratch, 'truth');
  mkdirSync(pred);
  mkdirSync(truth);
  // Case i: a truth box of label 1 + (i mod 3), a prediction shifted by i mod 4 columns; some
  // cases also hold label 4 (only in the prediction: an infinite distance) or nothing at all.
  for (let i = 0; i < CASES; i++) {
    const t = new Uint8Array(64),
      p = new Uint8Array(64);
    const label = 1 + (i % 3);
    for (let y = 2; y < 6; y++) {
      for (let x = 1; x < 5; x++) {
        t[y * 8 + x] = label;
        p[y * 8 + x + (i % 4)] = label;
      }
    }
    if (i % 5 === 0) p[63] = 4;
    if (i === 7) p.fill(0);
    const name = `case-${String(i).padStart(2, '0')}.npy`;
    writeFileSync(join(pred, name), mask(p));
    writeFileSync(join(truth, name), mask(t));
  }
  // Failed pairs: a prediction without a truth, and a truth file that is not a .npy file.
  writeFileSync(join(pred, 'only-pred.npy'), mask(new Uint8Array(64)));
  writeFileSync(join(pred, 'broken.npy'), mask(new Uint8Array(64)));
  writeFileSync(join(truth, 'broken.npy'), 'not a numpy file');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Instance and topology metrics too: their values (and lesion counts) go through the states as the distances do.
const METRICS = [
  '--metrics',
  'dice,iou,mcc,hd,hd95,assd,cldice,biou,lesion_dice,lesion_hd95,pq',
  '--connectivity',
  '4',
  '--boundary-width',
  '1',
];

async function shards(dir: string, n: number, extra: string[] = []): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const parts = Array.from({ length: n }, (_, i) => join(dir, `part-${i}.json`));
  const runs = await Promise.all(
    parts.map((part, i) =>
      run(['eval', pred, truth, ...METRICS, ...extra, '--shard', `${i}/${n}`, '--state', part, '--format', 'csv']),
    ),
  );
  for (const r of runs) expect([0, 1], r.stderr).toContain(r.code); // 1 where a failed pair falls
  return parts;
}

describe('dice-wasm eval --shard, dice-wasm merge', () => {
  // in every format, with the same errors and exit code
  it('3 processes merged give the report of one, byte for byte', async () => {
    const parts = await shards(join(scratch, 'three'), 3);
    for (const format of ['table', 'csv', 'json']) {
      const one = await run(['eval', pred, truth, ...METRICS, '--format', format]);
      const merged = await run(['merge', ...parts, '--format', format]);
      expect(one.code).toBe(1);
      expect(merged.code).toBe(1);
      expect(merged.stdout).toBe(one.stdout);
      expect(merged.stderr).toBe(one.stderr);
    }
    // The parts in any order; one run reported as if it were three.
    const reversed = await run(['merge', ...[...parts].reverse(), '--format', 'json']);
    const one = await run(['eval', pred, truth, ...METRICS, '--format', 'json']);
    expect(reversed.stdout).toBe(one.stdout);

    // What the report says, checked apart from the code under test: case-01 by hand.
    const report = JSON.parse(one.stdout) as {
      cases: { name: string; classes: Record<string, Record<string, number | string | null>>; error?: string }[];
    };
    expect(report.cases.map((c) => c.name)).toEqual(
      [
        ...Array.from({ length: CASES }, (_, i) => `case-${String(i).padStart(2, '0')}.npy`),
        'broken.npy',
        'only-pred.npy',
      ].sort(),
    );
    const c1 = report.cases.find((c) => c.name === 'case-01.npy')!;
    // Label 2, a 4×4 box shifted by one column: TP 12, FP 4, FN 4; Dice 24/32, IoU 12/20.
    expect(c1.classes['2'].dice).toBe(0.75);
    expect(c1.classes['2'].iou).toBe(0.6);
    expect(c1.classes['2'].hd).toBe(1);
    // One truth lesion, one predicted lesion overlapping it: matched, lesion Dice the Dice, PQ = SQ = IoU.
    expect(c1.classes['2'].lesion_tp).toBe(1);
    expect(c1.classes['2'].lesion_fp).toBe(0);
    expect(c1.classes['2'].lesion_fn).toBe(0);
    expect(c1.classes['2'].lesion_dice).toBe(0.75);
    expect(c1.classes['2'].pq).toBe(0.6);
    // Bands of width 1: each box's ring of 12 (the 4×4 box less its 2×2 inside); the rings share
    // 3 voxels of the top row and 3 of the bottom row: 6 / (12 + 12 − 6).
    expect(c1.classes['2'].biou).toBe(6 / 18);
    // Label 1 is in neither mask of case-01: both empty, not scored (--empty nan), as in one run of main.
    expect(c1.classes['1'].biou).toBeNull();
    expect(c1.classes['1'].cldice).toBeNull();
    const c0 = report.cases.find((c) => c.name === 'case-00.npy')!;
    expect(c0.classes['4'].hd).toBeNull(); // label 4 is in no truth: not scored (--empty nan)
    expect(report.cases.find((c) => c.name === 'broken.npy')!.error).toMatch(/broken\.npy is not a NumPy \.npy file/);
  }, 120_000);

  it('more shards than cases: the empty shards merge too; N = 1 is the run itself', async () => {
    const dir = join(scratch, 'few');
    for (const side of ['pred', 'truth']) {
      mkdirSync(join(dir, side), { recursive: true });
      for (const name of ['case-01.npy', 'case-05.npy'])
        writeFileSync(join(dir, side, name), readFileSync(join(side === 'pred' ? pred : truth, name)));
    }
    const p = join(dir, 'pred'),
      t = join(dir, 'truth');
    const parts = Array.from({ length: 4 }, (_, i) => join(dir, `part-${i}.json`));
    for (const [i, part] of parts.entries()) {
      expect((await run(['eval', p, t, ...METRICS, '--shard', `${i}/4`, '--state', part])).code).toBe(0);
    }
    // Shard i of 4 over 2 cases: floor(2i/4) … floor(2(i+1)/4) − 1: shards 0 and 2 are empty.
    expect(parts.map((part) => JSON.parse(readFileSync(part, 'utf8')).cases)).toEqual([
      [],
      ['case-01.npy'],
      [],
      ['case-05.npy'],
    ]);
    const one = await run(['eval', p, t, ...METRICS, '--format', 'json']);
    expect(one.code).toBe(0);
    expect((await run(['merge', ...parts, '--format', 'json'])).stdout).toBe(one.stdout);
    const single = join(dir, 'single.json');
    expect((await run(['eval', p, t, ...METRICS, '--state', single])).code).toBe(0);
    expect((await run(['merge', single, '--format', 'json'])).stdout).toBe(one.stdout);
  }, 120_000);

  it('--state and --output leave no temporary file; a failed write leaves nothing', async () => {
    const dir = join(scratch, 'atomic');
    mkdirSync(dir);
    const r = await run(['eval', pred, truth, '--state', join(dir, 's.json'), '--output', join(dir, 'r.txt')]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['r.txt', 's.json']);
    const missing = await run(['eval', pred, truth, '--output', join(dir, 'no-such-dir', 'r.txt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    expect(readdirSync(dir).sort()).toEqual(['r.txt', 's.json']);

    // Something that is not a regular file is written in place, not replaced by a rename.
    const devNull = await run(['eval', pred, truth, '--state', '/dev/null', '--output', '/dev/null']);
    expect(devNull.code).toBe(1);
    expect(devNull.stdout).toBe('');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);

    // A run killed while it writes leaves the report that was there.
    const target = join(dir, 'killed.txt');
    writeFileSync(target, 'the previous report\n');
    const child = spawn(process.execPath, ['dist/cli/main.js', 'eval', pred, truth, ...METRICS, '--output', target], {
      cwd: repositoryRoot,
      stdio: 'ignore',
    });
    const exited = new Promise((done) => child.on('exit', done));
    let temporary: string | undefined;
    for (let waited = 0; temporary === undefined && waited < 30_000; waited += 5) {
      temporary = readdirSync(dir).find((f) => f.startsWith('.killed.txt.'));
      if (temporary === undefined) await new Promise((done) => setTimeout(done, 5));
    }
    expect(temporary).toMatch(/^\.killed\.txt\.\d+\.[0-9a-f]{8}\.tmp$/);
    child.kill('SIGKILL');
    await exited;
    expect(readFileSync(target, 'utf8')).toBe('the previous report\n');
  }, 60_000);

  it('refuses parts that are not one run, naming the file, the shard, the option or the case', async () => {
    const dir = join(scratch, 'bad');
    const parts = await shards(dir, 3);
    const merge = (...files: string[]) => run(['merge', ...files]);
    const edit = (from: string, name: string, change: (state: Record<string, unknown>) => void): string => {
      const state = JSON.parse(readFileSync(from, 'utf8'));
      change(state);
      const to = join(dir, name);
      writeFileSync(to, JSON.stringify(state));
      return to;
    };
    const expectRefused = async (files: string[], message: RegExp) => {
      const r = await merge(...files);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    };

    const first = JSON.parse(readFileSync(parts[0], 'utf8')).cases.at(-1);
    const last = JSON.parse(readFileSync(parts[2], 'utf8')).cases[0];
    await expectRefused(
      [parts[0], parts[2]],
      new RegExp(
        'shard 1/3 is missing: no part holds its 8 cases \\(numbers 9 to 16 of 25 in sorted order, ' +
          `after '${first}' and before '${last}'\\)`,
      ),
    );
    await expectRefused(
      [parts[0], parts[1], parts[1], parts[2]],
      /part-1\.json and .*part-1\.json are both shard 1\/3/,
    );

    // Other options: shard 1 made with --empty one.
    const other = join(dir, 'other');
    mkdirSync(other);
    const r = await run([
      'eval',
      pred,
      truth,
      ...METRICS,
      '--empty',
      'zero',
      '--shard',
      '1/3',
      '--state',
      join(other, 'p1.json'),
    ]);
    expect(r.code).toBe(0);
    await expectRefused(
      [parts[0], join(other, 'p1.json'), parts[2]],
      /p1\.json and .*part-0\.json were made with different options \(--empty=zero against --empty=nan\)/,
    );
    // Another N.
    const four = await run(['eval', pred, truth, ...METRICS, '--shard', '1/4', '--state', join(other, 'q1.json')]);
    expect(four.code).toBe(0);
    await expectRefused([parts[0], join(other, 'q1.json')], /q1\.json is shard 1\/4 but .*part-0\.json is shard 0\/3/);
    // Another version.
    await expectRefused(
      [parts[0], edit(parts[1], 'v.json', (s) => (s.dicewasm = '0.0.1')), parts[2]],
      /v\.json was written by dice-wasm 0\.0\.1; this is \d+\.\d+\.\d+/,
    );
    // Another case list (a file added after shard 0 ran).
    writeFileSync(join(pred, 'late.npy'), mask(new Uint8Array(64)));
    writeFileSync(join(truth, 'late.npy'), mask(new Uint8Array(64)));
    const late = await run(['eval', pred, truth, ...METRICS, '--shard', '1/3', '--state', join(other, 'late1.json')]);
    rmSync(join(pred, 'late.npy'));
    rmSync(join(truth, 'late.npy'));
    expect(late.code).toBe(0);
    await expectRefused(
      [parts[0], join(other, 'late1.json'), parts[2]],
      /late1\.json and .*part-0\.json were made from different case lists \(26 cases, sha256:.*; 25 cases/,
    );

    // Tampered states: a case twice, counts that do not add up, a field of the wrong type, an
    // option that is not a report's, a huge list, not JSON, too large to read.
    await expectRefused(
      [
        parts[0],
        edit(parts[1], 'dup.json', (s) => {
          (s.cases as string[])[0] = first;
          (s.rows as { name: string }[])[0].name = first;
        }),
        parts[2],
      ],
      new RegExp(`case '${first}' is in both .*part-0\\.json and .*dup\\.json`),
    );
    await expectRefused(
      [
        parts[0],
        edit(parts[1], 'counts.json', (s) => {
          const row = (s.rows as { counts: number[] }[]).find((x) => x.counts !== undefined)!;
          row.counts[0] += 1;
        }),
        parts[2],
      ],
      /counts\.json: rows\[\d+\]: the counts of label \d+ do not add up to its voxels \(64\)/,
    );
    await expectRefused(
      [
        parts[0],
        edit(parts[1], 'labels.json', (s) => {
          const row = (s.rows as { labels: number[] }[]).find((x) => x.labels !== undefined)!;
          row.labels = [70000];
        }),
        parts[2],
      ],
      /labels\.json: rows\[\d+\]: labels\[0\] is not a label in \[0, 65535\]/,
    );
    await expectRefused(
      [
        parts[0],
        edit(parts[1], 'values.json', (s) => {
          const row = (s.rows as { values: Record<string, unknown[]> }[]).find((x) => x.values !== undefined)!;
          row.values.hd[0] = 'far';
        }),
        parts[2],
      ],
      /values\.json: rows\[\d+\]: values\.hd\[0\] is not a number/,
    );
    await expectRefused(
      [parts[0], edit(parts[1], 'flags.json', (s) => (s.options as string[]).push('--output=/etc/passwd')), parts[2]],
      /flags\.json has the option '--output=\/etc\/passwd', which does not decide a report's numbers/,
    );
    await expectRefused(
      [parts[0], edit(parts[1], 'total.json', (s) => (s.total = 1e300)), parts[2]],
      /total\.json has a case total that is not a count/,
    );
    await expectRefused(
      [parts[0], edit(parts[1], 'rows.json', (s) => (s.rows = (s.rows as unknown[]).slice(1))), parts[2]],
      /rows\.json has 7 records for its 8 cases/,
    );
    writeFileSync(join(dir, 'text.json'), '{"format": "dice-wasm/eval-state", ');
    await expectRefused([join(dir, 'text.json')], /text\.json is not JSON/);
    writeFileSync(join(dir, 'huge.json'), '');
    truncateSync(join(dir, 'huge.json'), 300 * 2 ** 20); // sparse: nothing is written
    await expectRefused(
      [join(dir, 'huge.json')],
      /huge\.json is 314572800 bytes, more than a state may be \(268435456\)/,
    );
    await expectRefused([join(dir, 'missing.json')], /missing\.json cannot be read \(ENOENT\)/);
  }, 240_000);

  // every eval option is either one that decides the numbers or one that does not
  it("a state's options: each classified; the flags read back to the same options", () => {
    expect([...REPORT_FLAGS, ...RUN_FLAGS].sort()).toEqual([...EVAL_FLAGS].sort());
    for (const argv of [
      [],
      ['--metrics', 'dice,hd95,nsd', '--tolerance', '1.5', '--percentile', '90', '--spacing', '0.5,0.5,2'],
      ['--threshold=-0.25', '--ignore-index', '255', '--include-background', '--empty', 'formula', '--beta', '2'],
      ['--num-classes', '7', '--shape', '4,4', '--dtype', 'uint16', '--max-voxels', '100', '--threads', '2'],
      ['--metrics', 'dice,lesion_f1,pq', '--connectivity', '4', '--min-lesion-size', '3', '--dilation', '2'],
      ['--metrics', 'cldice,biou', '--skeleton', 'lee-preserving', '--boundary-width-mm', '1.5'],
      ['--metrics', 'tprec,biou', '--boundary-width', '3', '--boundary-distance', 'euclidean', '--empty', 'zero'],
      ['--metrics', 'hd95,assd', '--hd-convention', 'pooled'],
      ['--metrics', 'hd,hd95,nsd', '--tolerance', '1', '--surfel', '--hd-convention', 'max-directed'],
    ]) {
      const opts = parseEvalOptions(['P', 'T', ...argv])!;
      const again = parseEvalOptions(['P', 'T', ...reportFlags(opts)])!;
      const { threads: _a, format: _b, output: _c, shard: _d, state: _e, ...decides } = opts;
      const { threads: _f, format: _g, output: _h, shard: _i, state: _j, ...decidesAgain } = again;
      expect(decidesAgain).toEqual(decides);
      expect(reportFlags(again)).toEqual(reportFlags(opts));
    }
  });

  it('bad usage exits 2 naming the option', async () => {
    for (const shard of ['3/3', '1', '-1/2', 'a/b', '0/0', '1/2/3']) {
      const r = await run(['eval', pred, truth, `--shard=${shard}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--shard must be I\/N/);
    }
    const none = await run(['merge']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/merge takes the state files/);
    const format = await run(['merge', 'x.json', '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format must be one of table, csv, json/);
  }, 60_000);
});
