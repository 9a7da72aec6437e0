// The packed package loads by name in every Node mode, each in a process of its own: ES module
// import, CommonJS require with require(esm) switched off, worker_threads (both formats), every
// backend forced by loadDice({ backend }) and loadDiceSync({ backend }), and the CLI's bin.
import { execFileSync } from 'node:child_process';
import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPacked, repositoryRoot } from '../support/packed.js';

const BACKENDS = ['simd', 'scalar', 'js'] as const;
const WORKED_LOSS = 0.35692084;
const WORKED_COEFFICIENT = 0.64307916;

interface Worked {
  backend: string;
  loss: number;
  coefficient: number;
}
type PerBackend = Record<'default' | (typeof BACKENDS)[number], Worked>;

let consumer: string;
let installed: string;

beforeAll(() => {
  consumer = installPacked();
  installed = realpathSync(join(consumer, 'node_modules/dice-wasm'));
});
afterAll(() => rmSync(consumer, { recursive: true, force: true }));

function node(args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' }));
}

function expectWorkedExampleEverywhere(results: PerBackend): void {
  expect(results.default.backend).toBe('simd');
  for (const backend of BACKENDS) {
    expect(results[backend].backend).toBe(backend);
    expect(results[backend].loss, backend).toBeCloseTo(WORKED_LOSS, 6);
    expect(results[backend].coefficient, backend).toBeCloseTo(WORKED_COEFFICIENT, 6);
  }
  expect(results.default.loss).toBeCloseTo(WORKED_LOSS, 6);
}

describe('the packed package in Node', () => {
  it('imports by name as an ES module (dist/index.js): the worked example on every backend, async and sync', () => {
    const out = node(['esm.mjs']) as { resolved: string; async: PerBackend; sync: PerBackend };
    expect(out.resolved).toBe(pathToFileURL(join(installed, 'dist/index.js')).href);
    expectWorkedExampleEverywhere(out.async);
    expectWorkedExampleEverywhere(out.sync);
  });

  it('requires by name as CommonJS (dist/cjs/index.js) with --no-experimental-require-module', () => {
    const out = node(['--no-experimental-require-module', 'cjs.cjs']) as {
      resolved: string;
      async: PerBackend;
      sync: PerBackend;
    };
    expect(out.resolved).toBe(join(installed, 'dist/cjs/index.js'));
    expectWorkedExampleEverywhere(out.async);
    expectWorkedExampleEverywhere(out.sync);
  });

  it('runs loadDiceSync inside worker_threads Workers, imported and required', () => {
    const out = node(['--no-experimental-require-module', 'threads.mjs']) as Record<
      'esm' | 'cjs',
      PerBackend & { isMainThread: boolean; resolved?: string }
    >;
    for (const format of ['esm', 'cjs'] as const) {
      expect(out[format].isMainThread).toBe(false);
      expectWorkedExampleEverywhere(out[format]);
    }
    expect(out.cjs.resolved).toBe(join(installed, 'dist/cjs/index.js'));
  });

  it('exposes only its entry points', () => {
    expect(() =>
      execFileSync(process.execPath, ['--input-type=module', '-e', "await import('dice-wasm/dist/kernel.js')"], {
        cwd: consumer,
        stdio: 'pipe',
      }),
    ).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
    const iife = execFileSync(process.execPath, ['-p', "require.resolve('dice-wasm/iife')"], {
      cwd: consumer,
      encoding: 'utf8',
    }).trim();
    expect(iife).toBe(join(installed, 'dist/dice-wasm.iife.js'));
  });

  it('installs the dice-wasm command', () => {
    const usage = execFileSync(join(consumer, 'node_modules/.bin/dice-wasm'), ['--help'], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(usage).toMatch(/^Usage: dice-wasm <command>/);
    // eval with its file readers (dependencies of the package), on the repository's examples.
    const report = JSON.parse(
      execFileSync(
        join(consumer, 'node_modules/.bin/dice-wasm'),
        ['eval', join(repositoryRoot, 'examples/pred'), join(repositoryRoot, 'examples/truth'), '--format', 'json'],
        { cwd: consumer, encoding: 'utf8' },
      ),
    ) as { summary: Record<string, { dice: { n: number } }> };
    expect(Object.keys(report.summary)).toEqual(['1', '2', '3']);
    expect(report.summary[1].dice.n).toBe(4);
  });
});
