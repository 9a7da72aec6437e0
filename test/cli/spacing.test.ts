// `dice-wasm eval` compares the voxel spacing of a pair's headers: beyond 1e-4 relative on some
// axis, one warning per pair, on stderr and in the JSON case (the pair is still evaluated, exit
// 0); within it, or where a file has no spacing (.npy), nothing. Shapes that differ are refused.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { niftiHeader } from '../support/files.js';
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
  scratch = mkdtempSync(join(tmpdir(), 'dice-wasm-spacing-'));
  for (const side of ['pred', 'truth']) mkdirSync(join(scratch, side));
  const volume = (pixdim: number[], dims = [4, 4, 2]) => {
    const voxels = new Uint8Array(dims.reduce((a, d) => a * d, 1));
    voxels.fill(1, 0, 8);
    return Buffer.concat([niftiHeader({ dims, pixdim }), voxels]);
  };
  const write = (name: string, pred: Buffer, truth: Buffer) => {
    writeFileSync(join(scratch, 'pred', name), pred);
    writeFileSync(join(scratch, 'truth', name), truth);
  };
  write('a-same.nii', volume([0.8, 0.8, 2.5]), volume([0.8, 0.8, 2.5]));
  // 2.5 against 2.50002: 8e-6 relative, within 1e-4 (float32 pixdim holds both apart).
  write('b-close.nii', volume([0.8, 0.8, 2.50002]), volume([0.8, 0.8, 2.5]));
  // 2.5 against 2.5005: 2e-4 relative.
  write('c-far.nii', volume([0.8, 0.8, 2.5005]), volume([0.8, 0.8, 2.5]));
  write('d-shape.nii', volume([1, 1, 1], [4, 4, 3]), volume([1, 1, 1]));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('dice-wasm eval: spacing and shape of a pair', () => {
  it('warns once for spacings beyond 1e-4 relative (stderr and JSON), refuses shapes that differ', async () => {
    const r = await run(['eval', join(scratch, 'pred'), join(scratch, 'truth'), '--format', 'json']);
    expect(r.code).toBe(1); // d-shape
    const warnings = r.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        '^dice-wasm: warning: c-far\\.nii: voxel spacings differ beyond 0\\.0001 relative: ' +
          '.*c-far\\.nii has 0\\.8\\d* × 0\\.8\\d* × 2\\.500\\d*, .*c-far\\.nii has 0\\.8\\d* × 0\\.8\\d* × 2\\.5 ',
      ),
    );
    expect(r.stderr).toMatch(/d-shape\.nii: NIfTI dimensions differ: .* is 4×4×3, .* is 4×4×2/);
    const report = JSON.parse(r.stdout) as { cases: { name: string; warnings?: string[]; classes: object }[] };
    const byName = Object.fromEntries(report.cases.map((c) => [c.name, c]));
    expect(byName['a-same.nii'].warnings).toBeUndefined();
    expect(byName['b-close.nii'].warnings).toBeUndefined();
    expect(byName['c-far.nii'].warnings).toEqual([warnings[0].replace('dice-wasm: warning: c-far.nii: ', '')]);
    expect(byName['c-far.nii'].classes).toEqual({ '1': { dice: 1, iou: 1 } });
  }, 60_000);
});
