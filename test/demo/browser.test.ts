// The demo page (demo/, `npm run demo`) in headless Debian Chromium: built by Vite, served on
// localhost, the sample masks of examples/ uploaded through the file inputs; the numbers shown
// must be those counted by hand in examples/README.md. A screenshot goes to test/artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { repositoryRoot } from '../support/packed.js';
import { serveStatic, type StaticServer } from '../support/static-server.js';

const site = join(repositoryRoot, 'build', 'demo');
const artifacts = join(repositoryRoot, 'test', 'artifacts');

let chromium: Promise<Browser>;
let server: StaticServer;

beforeAll(async () => {
  chromium = launchChromium();
  chromium.catch(() => undefined);
  await build({
    root: join(repositoryRoot, 'demo'),
    configFile: false,
    logLevel: 'warn',
    build: { outDir: site, emptyOutDir: true },
  });
  server = await serveStatic(site);
});
afterAll(async () => {
  await Promise.all([
    chromium?.then(
      (browser) => browser.close(),
      () => undefined,
    ),
    server?.close(),
  ]);
});

/** The page with `pred` and `truth` (files of examples/) uploaded, once it shows results; fails on any page error. */
async function withMasks<T>(pred: string, truth: string, body: (page: Page) => Promise<T>): Promise<T> {
  const context = await (await chromium).newContext({ viewport: { width: 1100, height: 760 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    await page.goto(`${server.origin}/`);
    await page.setInputFiles('#file-pred', join(repositoryRoot, 'examples', pred));
    await page.setInputFiles('#file-truth', join(repositoryRoot, 'examples', truth));
    await page.waitForSelector('#timing tbody tr[data-case="tiled"]', { timeout: 60_000 });
    const value = await body(page);
    expect(errors).toEqual([]);
    return value;
  } finally {
    await context.close();
  }
}

/** The metrics table as { class: { metric: text } }. */
function metricsShown(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.$$eval('#metrics tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        (row as HTMLElement).dataset.class!,
        Object.fromEntries(Array.from(row.querySelectorAll('td')).map((td) => [td.dataset.metric!, td.textContent!])),
      ]),
    ),
  );
}

/** Pixels of the overlay canvas per colour, as 'r,g,b'. */
function overlayColours(page: Page): Promise<Record<string, number>> {
  return page.$eval('#overlay', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const tally: Record<string, number> = {};
    for (let i = 0; i < data.length; i += 4) {
      const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    return tally;
  });
}

const f4 = (v: number) => v.toFixed(4);

describe('demo page', () => {
  it('case-a: per-class metrics, overlay counts and timing as counted by hand; screenshot', async () => {
    await withMasks('pred/case-a.png', 'truth/case-a.png', async (page) => {
      // Label 1: TP 30, FP 6, FN 6; label 2: TP 24, FP 0, FN 8 (examples/README.md).
      expect(await metricsShown(page)).toEqual({
        1: {
          class: '1',
          dice: f4(60 / 72),
          iou: f4(30 / 42),
          precision: f4(30 / 36),
          recall: f4(30 / 36),
          tp: '30',
          fp: '6',
          fn: '6',
        },
        2: {
          class: '2',
          dice: f4(48 / 56),
          iou: f4(24 / 32),
          precision: f4(1),
          recall: f4(24 / 32),
          tp: '24',
          fp: '0',
          fn: '8',
        },
      });
      // Overlay: 54 TP pixels (green), 6 FP (red), 14 FN (blue), no wrong class; 192 pixels in all.
      expect(await overlayColours(page)).toEqual({
        '46,158,68': 54,
        '216,58,58': 6,
        '47,111,214': 14,
        '17,17,17': 192 - 54 - 6 - 14,
      });
      expect(await page.textContent('#count-swap')).toBe('0');
      const timing = await page.$$eval('#timing tbody tr', (rows) =>
        rows.map((row) => Array.from(row.querySelectorAll('td')).map((td) => td.textContent!)),
      );
      expect(timing).toHaveLength(2);
      for (const [, wasm, js, ratio] of timing) {
        expect(wasm).toMatch(/^[\d.]+ (µs|ms)$/);
        expect(js).toMatch(/^[\d.]+ (µs|ms)$/);
        expect(ratio).toMatch(/^[\d.]+×$/);
      }
      expect(await page.textContent('#backend')).toBe("'simd'");
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'demo.png'), fullPage: true });
    });
  });

  it('case-b (16-bit) and case-c (palette): the labels of the files, NaN for a class not in the truth', async () => {
    await withMasks('pred/case-b.png', 'truth/case-b.png', async (page) => {
      const shown = await metricsShown(page);
      expect(shown[1]).toMatchObject({ dice: f4(64 / 80), recall: f4(32 / 48), tp: '32', fn: '16' });
      expect(shown[2]).toMatchObject({ dice: 'NaN', precision: 'NaN', fp: '16' }); // not scored (empty 'nan')
      expect(shown[3]).toMatchObject({ dice: f4(1), iou: f4(1), tp: '48' });
      expect(await page.textContent('#count-swap')).toBe('16');
    });
    await withMasks('pred/case-c.png', 'truth/case-c.png', async (page) => {
      const shown = await metricsShown(page);
      expect(Object.keys(shown)).toEqual(['1', '3']);
      expect(shown[1]).toMatchObject({ dice: f4(64 / 80), precision: f4(32 / 48), recall: f4(1) });
      expect(shown[3]).toMatchObject({ dice: f4(0), precision: 'NaN', recall: f4(0), fn: '16' });
    });
  });

  it('says so when the masks differ in size or a file is not a PNG', async () => {
    const context = await (await chromium).newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.origin}/`);
      await page.setInputFiles('#file-pred', join(repositoryRoot, 'examples/pred/case-a.png'));
      const small = encode({ width: 4, height: 3, depth: 8, channels: 1, data: new Uint8Array(12) });
      await page.setInputFiles('#file-truth', { name: 'small.png', mimeType: 'image/png', buffer: Buffer.from(small) });
      await expect
        .poll(() => page.textContent('#status'))
        .toBe('The masks differ in size: case-a.png is 16×12, small.png is 4×3.');
      expect(await page.getAttribute('#status', 'class')).toBe('error');
      await page.setInputFiles('#file-truth', join(repositoryRoot, 'examples/truth/volume.nii.gz'));
      await expect.poll(() => page.textContent('#status')).toMatch(/^volume\.nii\.gz is not a readable PNG/);
    } finally {
      await context.close();
    }
  });
});
