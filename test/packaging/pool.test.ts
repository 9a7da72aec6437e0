// The thread pool of the packed package, installed from its tarball (test/support/packed.ts):
// in Node, imported and required (worker_threads), and in headless Chromium
// (test/support/chromium.ts) on pages served on localhost from test/loading/: under cross-origin
// isolation (COOP/COEP headers) createDicePool starts Web Workers with no path to configure, from
// the ES module (import map), the IIFE and an app bundled by Vite, and its split calls equal
// loadDice()'s; terminate rejects what is pending. Without isolation it refuses, naming COOP/COEP.
// The checks run where the package is loaded (test/loading/pool-checks.js).
// Chromium must start: when it cannot, every browser test here fails with the reason (nothing is skipped).
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as DiceWasmModule from '../../src/index.js';
import { withPage } from '../support/browser.js';
import { launchChromium } from '../support/chromium.js';
import { installPacked, repositoryRoot } from '../support/packed.js';
import { serveStatic, type StaticServer } from '../support/static-server.js';

interface Row {
  name: string;
  loss: number;
  expected: number;
  lossError: number;
  gradError: number;
  gradLength: number;
}
interface Comparison {
  isolated: boolean;
  threads: number;
  backend: string;
  rows: Row[];
  terminated: string;
}

// What the pages put on their global object (test/loading/*.html, pool-checks.js, vite-pool/).
declare global {
  var diceModule: typeof DiceWasmModule;
  var DiceWasm: typeof DiceWasmModule;
  var poolChecks: {
    compare(dice: typeof DiceWasmModule): Promise<Comparison>;
    refusal(dice: typeof DiceWasmModule): Promise<string>;
  };
  var vitePoolResult: Promise<Comparison | string>;
}

const REFUSAL =
  'Error: createDicePool: needs SharedArrayBuffer, which a page has only when cross-origin isolated: serve it with ' +
  'the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (COOP/COEP)';

let consumer: string;
let chromium: Promise<Browser>;
let plain: StaticServer;
let isolated: StaticServer;
let viteBuild: Promise<unknown>;

beforeAll(async () => {
  chromium = launchChromium();
  chromium.catch(() => undefined);
  consumer = installPacked();
  viteBuild = promisify(execFile)(
    process.execPath,
    [join(repositoryRoot, 'node_modules/vite/bin/vite.js'), 'build', '--base', './', '--logLevel', 'warn'],
    { cwd: join(consumer, 'vite-pool') },
  );
  viteBuild.catch(() => undefined);
  [plain, isolated] = await Promise.all([serveStatic(consumer), serveStatic(consumer, { crossOriginIsolated: true })]);
});
afterAll(async () => {
  await Promise.all([
    chromium?.then(
      (browser) => browser.close(),
      () => undefined,
    ),
    plain?.close(),
    isolated?.close(),
  ]);
  rmSync(consumer, { recursive: true, force: true });
});

/** A page of `origin` with the package loaded as `path` loads it, and the pool checks. */
function pageWithChecks<T>(url: string, loaded: () => boolean, body: (page: Page) => Promise<T>): Promise<T> {
  return withPage(chromium, url, async (page) => {
    await page.waitForFunction(loaded);
    await page.addScriptTag({ url: '/pool-checks.js' });
    return body(page);
  });
}

function expectSameAsOneThread(out: Comparison, isolation: boolean | undefined): void {
  expect({ isolated: out.isolated, threads: out.threads, backend: out.backend }).toEqual({
    isolated: isolation,
    threads: 2,
    backend: 'simd',
  });
  expect(out.rows.map((row) => row.name)).toEqual([
    'diceCE, softmax, [2, 3, 20001]',
    'binary Dice, 50003 probabilities',
    'diceCE, softmax, [1, 4, 2^18], default threshold',
  ]);
  for (const row of out.rows) {
    expect(Number.isFinite(row.loss) && row.gradLength > 0, row.name).toBe(true);
    expect(row.lossError, `${row.name}: ${row.loss} vs ${row.expected}`).toBeLessThanOrEqual(1e-6);
    expect(row.gradError, `${row.name}, gradient`).toBeLessThanOrEqual(1e-5);
  }
  expect(out.terminated).toBe('dice-wasm pool: the pool was terminated');
}

describe('the thread pool in Node', () => {
  it.each([
    ['imported (dist/index.js)', ['pool-esm.mjs']],
    [
      'required (dist/cjs/index.js) with --no-experimental-require-module',
      ['--no-experimental-require-module', 'pool-cjs.cjs'],
    ],
  ])('%s: worker_threads split the calls, results ≡ loadDice(), terminate rejects what is pending', (_, args) => {
    const out = JSON.parse(execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' })) as Comparison;
    expectSameAsOneThread(out, undefined); // Node has no crossOriginIsolated: shared memory is always there
  });
});

describe('the thread pool in headless Chromium', () => {
  // Results ≡ loadDice(); terminate() rejects what is pending.
  it('cross-origin isolated, <script type="module">: Web Workers split the calls', async () => {
    const out = await pageWithChecks(
      `${isolated.origin}/module.html`,
      () => 'diceModule' in globalThis,
      (page) => page.evaluate(() => poolChecks.compare(diceModule)),
    );
    expectSameAsOneThread(out, true);
  });

  it('cross-origin isolated, a classic <script> (the IIFE): the same', async () => {
    const out = await pageWithChecks(
      `${isolated.origin}/classic.html`,
      () => 'DiceWasm' in globalThis,
      (page) => page.evaluate(() => poolChecks.compare(DiceWasm)),
    );
    expectSameAsOneThread(out, true);
  });

  it('an app bundled by Vite: the same when cross-origin isolated, the refusal when not', async () => {
    await viteBuild;
    const isolatedOut = await withPage(chromium, `${isolated.origin}/vite-pool/dist/`, (page) =>
      page.evaluate(() => vitePoolResult),
    );
    expectSameAsOneThread(isolatedOut as Comparison, true);
    const plainOut = await withPage(chromium, `${plain.origin}/vite-pool/dist/`, (page) =>
      page.evaluate(() => vitePoolResult),
    );
    expect(plainOut).toBe(REFUSAL);
  });

  it('not cross-origin isolated: createDicePool rejects, naming COOP/COEP', async () => {
    const out = await pageWithChecks(
      `${plain.origin}/module.html`,
      () => 'diceModule' in globalThis,
      async (page) => ({
        isolated: await page.evaluate(() => crossOriginIsolated),
        refusal: await page.evaluate(() => poolChecks.refusal(diceModule)),
      }),
    );
    expect(out.isolated).toBe(false);
    expect(out.refusal).toBe(REFUSAL);
  });
});
