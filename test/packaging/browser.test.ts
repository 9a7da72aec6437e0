// The packed package in a real browser: headless Debian Chromium (test/support/chromium.ts) loads
// pages from test/loading/ served on localhost, with the package installed from its tarball under
// /node_modules/. Covered: <script type="module"> with an import map, a classic <script> (the IIFE),
// classic and module Web Workers running loadDiceSync, WASM ≡ JS on random cases, the scalar
// fallback, cross-origin isolation by COOP/COEP, and an app bundled by Vite.
// Chromium must start: when it cannot, every test here fails with the reason (nothing is skipped).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as DiceWasmModule from '../../src/index.js';
import { withPage as openPage } from '../support/browser.js';
import { launchChromium } from '../support/chromium.js';
import { installPacked, repositoryRoot } from '../support/packed.js';
import { serveStatic, type StaticServer } from '../support/static-server.js';

const BACKENDS = ['simd', 'scalar', 'js'] as const;
const WORKED_LOSS = 0.35692084;
const WORKED_COEFFICIENT = 0.64307916;

interface Worked {
  backend: string;
  loss: number;
  coefficient: number;
}
type PerBackend = Record<'default' | (typeof BACKENDS)[number], Worked>;
interface AgreementRow {
  case: string;
  backend: string;
  loss: number;
  reference: number;
  valueError: number;
  gradError: number;
  gradLength: number;
  gradScale: number;
}

// What the pages put on their global object (test/loading/*.html, checks.js).
declare global {
  var diceModule: typeof DiceWasmModule;
  var DiceWasm: typeof DiceWasmModule;
  var diceChecks: {
    workedExample(k: DiceWasmModule.DiceKernel): Worked;
    workedExampleOnEveryBackend(
      load: (options?: DiceWasmModule.LoadOptions) => Promise<DiceWasmModule.DiceKernel>,
    ): Promise<PerBackend>;
    agreement(kernels: DiceWasmModule.DiceKernel[], seed: number): AgreementRow[];
  };
  var viteAppResult: Promise<{ main: PerBackend; worker: PerBackend }>;
}

let consumer: string;
/** Awaited by every test, so that a Chromium that cannot start fails each of them with its reason. */
let chromium: Promise<Browser>;
let plain: StaticServer;
let isolated: StaticServer;

beforeAll(async () => {
  chromium = launchChromium();
  chromium.catch(() => undefined);
  consumer = installPacked();
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

/** A page of the shared Chromium (support/browser.ts). */
function withPage<T>(url: string, body: (page: Page) => Promise<T>, initScript?: () => void): Promise<T> {
  return openPage(chromium, url, body, initScript);
}

/** The module page, once its module script has imported the package. */
async function modulePage<T>(origin: string, body: (page: Page) => Promise<T>, initScript?: () => void): Promise<T> {
  return withPage(
    `${origin}/module.html`,
    async (page) => {
      await page.waitForFunction(() => 'diceModule' in globalThis);
      return body(page);
    },
    initScript,
  );
}

/** Starts `url` as a Web Worker of the page, sends it one message and returns its answer. */
function runWorker(page: Page, url: string, type: 'classic' | 'module'): Promise<PerBackend> {
  return page.evaluate(
    ({ url, type }) =>
      new Promise<PerBackend>((resolve, reject) => {
        const worker = new Worker(url, { type });
        worker.onmessage = (event) => {
          worker.terminate();
          resolve(event.data as PerBackend);
        };
        worker.onerror = (event) => {
          worker.terminate();
          reject(new Error(`worker ${url}: ${event.message}`));
        };
        worker.postMessage('run');
      }),
    { url, type },
  );
}

function expectWorkedExampleEverywhere(results: PerBackend, defaultBackend = 'simd'): void {
  expect(results.default.backend).toBe(defaultBackend);
  expect(results.default.loss).toBeCloseTo(WORKED_LOSS, 6);
  for (const backend of BACKENDS) {
    expect(results[backend].backend).toBe(backend);
    expect(results[backend].loss, backend).toBeCloseTo(WORKED_LOSS, 6);
    expect(results[backend].coefficient, backend).toBeCloseTo(WORKED_COEFFICIENT, 6);
  }
}

describe('the packed package in headless Chromium', () => {
  it('starts Chromium', async () => {
    expect((await chromium).version()).toMatch(/^\d+\./);
  });

  it('<script type="module"> with an import map: the worked example on simd, scalar, js, async and sync', async () => {
    const out = await modulePage(plain.origin, (page) =>
      page.evaluate(async () => ({
        async: await diceChecks.workedExampleOnEveryBackend(diceModule.loadDice),
        sync: await diceChecks.workedExampleOnEveryBackend(async (options) => diceModule.loadDiceSync(options)),
      })),
    );
    expectWorkedExampleEverywhere(out.async);
    expectWorkedExampleEverywhere(out.sync);
  });

  it('WebAssembly (simd, scalar) ≡ TypeScript on random cases: values and gradients within 1e-5', async () => {
    const rows = await modulePage(plain.origin, (page) =>
      page.evaluate(async () => {
        const kernels = await Promise.all(
          (['simd', 'scalar', 'js'] as const).map((backend) => diceModule.loadDice({ backend })),
        );
        return [11, 12, 13].flatMap((seed) => diceChecks.agreement(kernels, seed));
      }),
    );
    expect(rows.length).toBe(3 * 6 * 2);
    for (const row of rows) {
      const where = `${row.case} on ${row.backend}: loss ${row.loss} vs ${row.reference}`;
      expect(Number.isFinite(row.loss) && row.gradLength > 0 && row.gradScale > 0, where).toBe(true);
      expect(row.valueError, where).toBeLessThanOrEqual(1e-5);
      expect(row.gradError, `${where}, gradient`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('picks the scalar build where WebAssembly SIMD is missing, and refuses a forced simd', async () => {
    // Chromium cannot switch WebAssembly SIMD off (V8 has no such flag any more), so the page's
    // WebAssembly.validate, the package's SIMD probe, answers false before the package loads.
    const out = await modulePage(
      plain.origin,
      (page) =>
        page.evaluate(async () => ({
          async: diceChecks.workedExample(await diceModule.loadDice()),
          sync: diceChecks.workedExample(diceModule.loadDiceSync()),
          forced: await diceModule.loadDice({ backend: 'simd' }).then(
            () => 'loaded',
            (error: Error) => `${error.name}: ${error.message}`,
          ),
        })),
      () => {
        WebAssembly.validate = () => false;
      },
    );
    for (const worked of [out.async, out.sync]) {
      expect(worked.backend).toBe('scalar');
      expect(worked.loss).toBeCloseTo(WORKED_LOSS, 6);
      expect(worked.coefficient).toBeCloseTo(WORKED_COEFFICIENT, 6);
    }
    expect(out.forced).toMatch(/^RangeError: loadDice: backend 'simd' is not supported by this JavaScript engine/);
  });

  it('a classic <script> (dist/dice-wasm.iife.js) sets the global DiceWasm', async () => {
    const out = await withPage(`${plain.origin}/classic.html`, (page) =>
      page.evaluate(() => diceChecks.workedExampleOnEveryBackend(DiceWasm.loadDice)),
    );
    expectWorkedExampleEverywhere(out);
  });

  it('a classic Web Worker (importScripts of the IIFE) computes the loss with loadDiceSync everywhere', async () => {
    expectWorkedExampleEverywhere(
      await withPage(`${plain.origin}/classic.html`, (page) => runWorker(page, '/classic-worker.js', 'classic')),
    );
  });

  it('a module Web Worker computes the loss with loadDiceSync on every backend', async () => {
    expectWorkedExampleEverywhere(
      await withPage(`${plain.origin}/classic.html`, (page) => runWorker(page, '/module-worker.js', 'module')),
    );
  });

  // Isolated: SharedArrayBuffer and a shared memory; the package and a worker work either way.
  it('is cross-origin isolated when served with COOP/COEP, and not without', async () => {
    const probe = () => ({
      isolated: crossOriginIsolated,
      sharedMemory:
        typeof SharedArrayBuffer === 'function' &&
        new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true }).buffer instanceof SharedArrayBuffer,
    });
    for (const [server, expected] of [
      [isolated, true],
      [plain, false],
    ] as const) {
      const out = await modulePage(server.origin, async (page) => ({
        ...(await page.evaluate(probe)),
        worked: await page.evaluate(() => diceChecks.workedExampleOnEveryBackend(diceModule.loadDice)),
        worker: await runWorker(page, '/module-worker.js', 'module'),
      }));
      expect({ isolated: out.isolated, sharedMemory: out.sharedMemory }, server.origin).toEqual({
        isolated: expected,
        sharedMemory: expected,
      });
      expectWorkedExampleEverywhere(out.worked);
      expectWorkedExampleEverywhere(out.worker);
    }
  });

  it("an app bundled by Vite (import from 'dice-wasm', a worker it bundles) runs on its page and worker", async () => {
    const app = join(consumer, 'vite-app');
    await promisify(execFile)(
      process.execPath,
      [join(repositoryRoot, 'node_modules/vite/bin/vite.js'), 'build', '--base', './', '--logLevel', 'warn'],
      { cwd: app },
    );
    const out = await withPage(`${plain.origin}/vite-app/dist/`, (page) => page.evaluate(() => viteAppResult));
    expectWorkedExampleEverywhere(out.main);
    expectWorkedExampleEverywhere(out.worker);
  });
});
