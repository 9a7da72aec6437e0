// The demo app (demo/, `npm run demo`, `npm run build:demo`) in headless Debian Chromium: built by
// Vite with its own configuration, served on localhost with the COOP/COEP headers docs/demo.md
// asks a static host for. Each view is driven on the bundled data: the example volume loaded and
// stepped through, its metrics against `dice-wasm eval` on the same files, the slice's colours
// against a count made here from the files; the sample PNG masks against the hand counts of
// examples/README.md; bad files; a few epochs of training; the speed tables. Screenshots go to
// test/artifacts/ (docs/demo.md shows copies of them).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { repositoryRoot } from '../support/packed.js';
import { serveStatic, type StaticServer } from '../support/static-server.js';

const site = join(repositoryRoot, 'build', 'demo');
const artifacts = join(repositoryRoot, 'test', 'artifacts');
const exampleDir = join(repositoryRoot, 'demo', 'public', 'example');
const METRICS = ['dice', 'iou', 'precision', 'recall', 'hd', 'hd95', 'assd', 'nsd'];

let chromium: Promise<Browser>;
let server: StaticServer;
/** `dice-wasm eval --format json` of the example pair, tolerance 2 (the page's default). */
let cli: Promise<Record<string, Record<string, number>>>;

beforeAll(async () => {
  chromium = launchChromium();
  chromium.catch(() => undefined);
  cli = promisify(execFile)(process.execPath, [
    join(repositoryRoot, 'dist', 'cli', 'main.js'),
    'eval',
    join(exampleDir, 'pred.nii.gz'),
    join(exampleDir, 'truth.nii.gz'),
    '--metrics',
    METRICS.join(','),
    '--tolerance',
    '2',
    '--format',
    'json',
  ]).then(({ stdout }) => JSON.parse(stdout).cases[0].classes);
  cli.catch(() => undefined);
  await build({
    configFile: join(repositoryRoot, 'demo', 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir: site, emptyOutDir: true },
  });
  server = await serveStatic(site, { crossOriginIsolated: true });
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

/** The page at `view`, in a new context; fails on any page error or console error. */
async function withPage<T>(view: string, body: (page: Page) => Promise<T>): Promise<T> {
  const context = await (await chromium).newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    await page.goto(`${server.origin}/#${view}`);
    const value = await body(page);
    expect(errors).toEqual([]);
    return value;
  } finally {
    await context.close();
  }
}

async function loadExample(page: Page): Promise<void> {
  await page.click('#load-example');
  await page.waitForSelector('#metrics[data-ready]', { timeout: 60_000 });
}

/** The metrics table: class → metric → the full value the cell holds (data-value) and its text. */
function table(page: Page): Promise<Record<string, Record<string, { value: number; text: string }>>> {
  return page.$$eval('#metrics tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        (row as HTMLElement).dataset.class as string,
        Object.fromEntries(
          Array.from(row.querySelectorAll('td')).map((td) => [
            td.dataset.metric as string,
            { value: Number(td.dataset.value), text: td.textContent as string },
          ]),
        ),
      ]),
    ),
  );
}

/** The legend's colours: 'class 1 TP' → 'r,g,b'. */
function legend(page: Page): Promise<Record<string, string>> {
  return page.$$eval('#legend li', (items) =>
    Object.fromEntries(
      items
        .filter((li) => li.querySelector('i'))
        .map((li) => [
          (li.textContent as string).trim(),
          ((li.querySelector('i') as HTMLElement).style.background.match(/\d+/g) as string[]).join(','),
        ]),
    ),
  );
}

const viewState = (page: Page) =>
  page.$eval('#view', (c) => ({
    plane: (c as HTMLElement).dataset.plane,
    slice: Number((c as HTMLElement).dataset.slice),
    tally: JSON.parse((c as HTMLElement).dataset.tally as string) as Record<string, number>,
    marks: Number((c as HTMLElement).dataset.marks),
  }));

/** A NIfTI file of the example (uint8, 352-byte header): its voxels, x fastest, and its dims. */
function exampleVoxels(name: string): { voxels: Uint8Array; dims: number[] } {
  const bytes = gunzipSync(readFileSync(join(exampleDir, name)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const dims = [1, 2, 3].map((i) => view.getInt16(40 + 2 * i, true));
  return { voxels: bytes.subarray(352), dims };
}

const f4 = (v: number) => v.toFixed(4);

describe('demo: volumes and metrics', () => {
  it('example: metrics as dice-wasm eval, slices stepped, colours as counted from the files; screenshots', async () => {
    const expected = await cli;
    await withPage('volumes', async (page) => {
      await loadExample(page);
      expect(await page.textContent('#status')).toBe(
        'pred.nii.gz vs truth.nii.gz: 96×80×40 voxels (x, y, z) of 0.8×0.8×2, labels 0–2.',
      );
      // Every value equal to the CLI's, to the last digit: the same library on the same files.
      const shown = await table(page);
      expect(Object.keys(shown)).toEqual(['1', '2']);
      for (const label of ['1', '2']) {
        for (const m of METRICS) {
          expect(shown[label][m].value, `class ${label} ${m}`).toBe(expected[label][m]);
          expect(shown[label][m].text).toBe(f4(expected[label][m]));
        }
      }
      // The middle axial slice, its voxels counted here from the files.
      const { voxels: truth, dims } = exampleVoxels('truth.nii.gz');
      const { voxels: pred } = exampleVoxels('pred.nii.gz');
      const [nx, ny] = dims;
      const colours = await legend(page);
      const countSlice = (z: number) => {
        const tally: Record<string, number> = {};
        for (let i = z * nx * ny; i < (z + 1) * nx * ny; i++) {
          const p = pred[i],
            t = truth[i];
          const key =
            p === 0 && t === 0
              ? '17,17,17'
              : p === t
                ? colours[`class ${p} TP`]
                : p !== 0
                  ? colours[`class ${p} FP`]
                  : colours[`class ${t} FN`];
          tally[key] = (tally[key] ?? 0) + 1;
        }
        return tally;
      };
      let state = await viewState(page);
      expect(state).toMatchObject({ plane: 'axial', slice: 20 });
      expect(state.tally).toEqual(countSlice(20));
      // Keyboard: ↑ and PageDown on the focused slice, then the coronal plane by its key.
      await page.focus('#view');
      await page.keyboard.press('ArrowUp');
      state = await viewState(page);
      expect(state.slice).toBe(21);
      expect(state.tally).toEqual(countSlice(21));
      await page.keyboard.press('PageDown');
      expect((await viewState(page)).slice).toBe(11);
      expect(await page.textContent('#slice-label')).toBe('12 / 40');
      await page.keyboard.press('c');
      state = await viewState(page);
      expect(state).toMatchObject({ plane: 'coronal', slice: 40 });
      expect(await page.getAttribute('#slice', 'max')).toBe('79');
      // Coronal: x across, z up; a voxel 2 mm tall and 0.8 mm wide: the canvas is 40·2 by 96·0.8.
      const size = await page.$eval('#view', (c) => (c as HTMLCanvasElement).height / (c as HTMLCanvasElement).width);
      expect(size).toBeCloseTo((40 * 2) / (96 * 0.8), 2);
      // The slider moves the slice too.
      await page.fill('#slice', '5');
      expect((await viewState(page)).slice).toBe(5);
      await page.keyboard.press('a');
      await page.screenshot({ path: join(artifacts, 'demo-volumes.png'), fullPage: true });

      // Class 1's Hausdorff voxels: the distance between them is the library's HD, and they are circled.
      const button = await page.textContent('#hd-marks button[data-class="1"]');
      expect(button).toContain(`${f4(expected[1].hd)} apart`);
      await page.click('#hd-marks button[data-class="1"]');
      state = await viewState(page);
      const at = /z (\d+)\)/.exec(button as string) as RegExpExecArray;
      expect(state.slice).toBe(Number(at[1]));
      expect(state.marks).toBeGreaterThanOrEqual(1);
      // Surface colouring: surface voxels leave the class colours for the distance ramp.
      await page.check('#show-distances');
      state = await viewState(page);
      expect(Object.keys(state.tally).some((k) => Object.values(colours).includes(k))).toBe(false);
      expect(state.tally['230,0,40'] ?? 0).toBeGreaterThan(0); // the farthest voxel, red
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'demo-distances.png'), fullPage: true });

      // Another NSD tolerance: the worker measures again; NSD only grows with τ.
      await page.fill('#tolerance', '5');
      await page.dispatchEvent('#tolerance', 'change');
      await page.waitForSelector('#metrics[data-ready="2"]', { timeout: 60_000 });
      const wider = await table(page);
      expect(wider[1].nsd.value).toBeGreaterThan(expected[1].nsd);
      expect(wider[1].hd.value).toBe(expected[1].hd);
    });
  });

  it('PNG pairs: the hand counts of examples/README.md', async () => {
    await withPage('volumes', async (page) => {
      await page.setInputFiles('#file-pred', join(repositoryRoot, 'examples/pred/case-a.png'));
      await page.setInputFiles('#file-truth', join(repositoryRoot, 'examples/truth/case-a.png'));
      await page.waitForSelector('#metrics[data-ready]', { timeout: 60_000 });
      const shown = await table(page);
      // Label 1: TP 30, FP 6, FN 6, shifted one column: HD 1, ASSD 20/40, every distance ≤ 2.
      expect(shown[1].dice.text).toBe(f4(60 / 72));
      expect(shown[1].iou.text).toBe(f4(30 / 42));
      expect(shown[1].hd.value).toBe(1);
      expect(shown[1].assd.value).toBeCloseTo(0.5, 12);
      expect(shown[1].nsd.value).toBe(1);
      // Label 2: TP 24, FP 0, FN 8; G→P distances up to 2 (its two extra rows), ASSD 12/36.
      expect(shown[2].precision.text).toBe(f4(1));
      expect(shown[2].recall.text).toBe(f4(24 / 32));
      expect(shown[2].hd.value).toBe(2);
      expect(shown[2].assd.value).toBeCloseTo(12 / 36, 12);
      expect(await page.getAttribute('#slice', 'max')).toBe('0');
    });
  });

  it('bad files: a clear message, and the page still works afterwards', async () => {
    await withPage('volumes', async (page) => {
      const status = () => page.textContent('#status');
      const upload = (side: string, name: string, buffer: Buffer) =>
        page.setInputFiles(`#file-${side}`, { name, mimeType: 'application/octet-stream', buffer });
      // Not a format the page reads.
      await upload('pred', 'notes.txt', Buffer.from('hello'));
      await expect.poll(status).toBe('notes.txt has no extension read here (.png, .nii, .nii.gz, .npy)');
      expect(await page.getAttribute('#status', 'class')).toBe('error');
      // A PNG named .nii.
      await upload('pred', 'mask.nii', readFileSync(join(repositoryRoot, 'examples/pred/case-a.png')));
      await expect.poll(status).toMatch(/^mask\.nii is not a NIfTI file: 85 bytes, less than a header$/);
      // Shapes that differ.
      await page.setInputFiles('#file-pred', join(repositoryRoot, 'examples/pred/case-a.png'));
      await page.setInputFiles('#file-truth', join(exampleDir, 'truth.nii.gz'));
      await expect.poll(status).toBe('The shapes differ: case-a.png is 12×16, truth.nii.gz is 96×80×40.');
      expect(await page.isHidden('#results')).toBe(true);
      // A volume beyond the page's budget (1024³ declared, in a few hundred bytes): refused from its header.
      const header = Buffer.alloc(352);
      header.writeInt32LE(348, 0);
      header.writeInt16LE(3, 40);
      for (const i of [1, 2, 3]) header.writeInt16LE(1024, 40 + 2 * i);
      header.writeInt16LE(2, 70);
      header.writeFloatLE(352, 108);
      header.write('n+1\0', 344, 'latin1');
      await upload('truth', 'huge.nii.gz', gzipSync(header));
      await expect
        .poll(status)
        .toBe(
          'huge.nii.gz declares 1024×1024×1024 voxels, more than this page reads (33554432 voxels, its memory ' +
            'budget); evaluate it with the CLI, dice-wasm eval',
        );
      // A truncated gzip stream.
      await upload('truth', 'cut.nii.gz', readFileSync(join(exampleDir, 'truth.nii.gz')).subarray(0, 300));
      await expect.poll(status).toMatch(/^cut\.nii\.gz (is not a readable gzip file|inflates to \d+ bytes)/);
      // Nothing broke: the example loads and is measured.
      await loadExample(page);
      expect(Object.keys(await table(page))).toEqual(['1', '2']);
    });
  });
});

describe('demo: training', () => {
  it('trains 3 epochs on cpu: held-out Dice rises; the loss costs on every backend; screenshot', async () => {
    await withPage('training', async (page) => {
      await page.selectOption('#tf-backend', 'cpu');
      await page.selectOption('#tf-loss', 'dice');
      await page.fill('#tf-epochs', '3');
      await page.click('#tf-train');
      await page.waitForSelector('#tf-curves[data-done="true"]', { timeout: 120_000 });
      const status = (await page.textContent('#tf-status')) as string;
      expect(status).toMatch(/^Epoch 3\/3 on the 'cpu' backend/);
      const dice = JSON.parse((await page.getAttribute('#tf-curves', 'data-dice')) as string) as number[];
      const loss = JSON.parse((await page.getAttribute('#tf-curves', 'data-loss')) as string) as number[];
      expect(dice).toHaveLength(4);
      // Held-out Dice (the argmax's, classes 1 and 2) from the untrained network's to well above it.
      expect(dice[3]).toBeGreaterThan(dice[0] + 0.2);
      expect(dice[3]).toBeGreaterThan(0.5);
      expect(loss[2]).toBeLessThan(loss[0]);
      expect(await page.$$eval('#tf-curves polyline', (lines) => lines.length)).toBe(2);
      expect(await page.$$eval('#tf-samples canvas', (c) => c.length)).toBe(8);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'demo-training.png'), fullPage: true });

      await page.click('#tf-compare');
      await page.waitForSelector('#tf-timing[data-done="true"]', { timeout: 120_000 });
      const rows = await page.$$eval('#tf-timing tbody tr', (trs) =>
        trs.map((tr) => ({
          backend: (tr as HTMLElement).dataset.backend,
          loss: (tr as HTMLElement).dataset.loss,
          difference: Number((tr as HTMLElement).dataset.difference),
          cells: Array.from(tr.querySelectorAll('td')).map((td) => td.textContent),
        })),
      );
      // cpu and wasm run here (webgl depends on the machine's GPU); the two losses agree on each.
      for (const backend of ['cpu', 'wasm']) {
        const measured = rows.filter((r) => r.backend === backend);
        expect(measured.map((r) => r.loss)).toEqual(['dice', 'diceCE']);
        for (const r of measured) {
          expect(r.difference).toBeLessThan(1e-5);
          for (const cell of r.cells.slice(2)) expect(cell).toMatch(/^[\d.]+ (µs|ms)$/);
        }
      }
      await page.screenshot({ path: join(artifacts, 'demo-training-costs.png'), fullPage: true });
    });
  });
});

describe('demo: speed', () => {
  it('WASM vs JS on the loaded pair, and the thread pool (the page is cross-origin isolated); screenshot', async () => {
    await withPage('volumes', async (page) => {
      await loadExample(page);
      await page.click('#tab-speed');
      await page.click('#speed-run');
      await page.waitForSelector('#pool-timing tbody tr', { timeout: 120_000 });
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      const timing = await page.$$eval('#timing tbody tr', (rows) =>
        rows.map((row) => Array.from(row.querySelectorAll('td')).map((td) => td.textContent as string)),
      );
      expect(timing.map((r) => r[0])).toEqual(['the loaded pair (307200 voxels)', 'tiled to 4300800 voxels']);
      for (const [, wasm, js, ratio] of timing) {
        expect(wasm).toMatch(/^[\d.]+ (µs|ms)$/);
        expect(js).toMatch(/^[\d.]+ (µs|ms)$/);
        expect(ratio).toMatch(/^[\d.]+×$/);
      }
      expect(await page.textContent('#backend')).toBe("'simd'");
      const pool = await page.$$eval('#pool-timing tbody td', (tds) => tds.map((td) => td.textContent as string));
      expect(pool[1]).toMatch(/^[\d.]+ (µs|ms)$/);
      expect(pool[2]).toMatch(/^[\d.]+ (µs|ms)$/);
      expect(await page.textContent('#pool-status')).toMatch(/^Cross-origin isolated: a pool of \d+ workers/);
      await page.screenshot({ path: join(artifacts, 'demo-speed.png'), fullPage: true });
    });
  });
});

/**
 * In the page: every visible control without an accessible name (its label, aria-label,
 * aria-labelledby, title or, for a button, its text), and every visible text whose WCAG 2 contrast
 * against its background is below 4.5:1 (3:1 for large text: 24 px, or 18.66 px bold). The
 * background is the first opaque one among the ancestors (translucent ones blended over it; white
 * at the root); SVG text is left out (the plots draw it on their own backgrounds), and so are
 * disabled controls, which WCAG exempts.
 */
async function accessibilityProblems(page: Page): Promise<{ unnamed: string[]; lowContrast: string[] }> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (css: string): Rgba => {
      const n = (css.match(/[\d.]+/g) ?? []).map(Number);
      return [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n.length > 3 ? n[3] : 1];
    };
    const over = (top: Rgba, under: Rgba): Rgba => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1) as Rgba;
    };
    const background = (element: Element | null): Rgba => {
      if (element === null) return [255, 255, 255, 1];
      const own = parse(getComputedStyle(element).backgroundColor);
      if (own[3] >= 1) return own;
      const under = background(element.parentElement);
      return own[3] === 0 ? under : over(own, under);
    };
    const luminance = ([r, g, b]: Rgba): number => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const visible = (element: Element): boolean => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    };
    const describe = (element: Element): string => {
      const text = (element.textContent ?? '').trim().slice(0, 40);
      return `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''} "${text}"`;
    };

    const unnamed: string[] = [];
    for (const control of Array.from(
      document.querySelectorAll<HTMLElement>('input, select, textarea, button, [tabindex]'),
    )) {
      if (!visible(control) || (control as HTMLInputElement).type === 'hidden') continue;
      const labelledBy = control.getAttribute('aria-labelledby');
      const names = [
        control.getAttribute('aria-label'),
        labelledBy
          ?.split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' '),
        control.getAttribute('title'),
        ...Array.from((control as HTMLInputElement).labels ?? [], (label) => label.textContent),
        control.tagName === 'BUTTON' ? control.textContent : null,
      ];
      if (!names.some((name) => name !== null && name !== undefined && name.trim() !== '')) {
        unnamed.push(describe(control));
      }
    }

    const lowContrast: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      // WCAG 1.4.3 exempts inactive controls (a disabled button is greyed out on purpose).
      if (element.closest('svg') !== null || element.matches(':disabled') || !visible(element)) continue;
      const text = Array.from(element.childNodes as NodeListOf<ChildNode>)
        .filter((node: ChildNode) => node.nodeType === Node.TEXT_NODE)
        .map((node: ChildNode) => node.textContent ?? '')
        .join('')
        .trim();
      if (text === '') continue;
      const style = getComputedStyle(element);
      const back = background(element);
      const fore = over(parse(style.color), back);
      const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) lowContrast.push(`${describe(element)}: ${ratio.toFixed(2)}:1`);
    }
    return { unnamed, lowContrast };
  });
}

describe('demo: accessibility basics', () => {
  it('every visible control has a name, and text contrast meets WCAG AA, in each view', async () => {
    await withPage('volumes', async (page) => {
      await loadExample(page);
      const seen: Record<string, { unnamed: string[]; lowContrast: string[] }> = {};
      seen.volumes = await accessibilityProblems(page);
      await page.click('#tab-training');
      seen.training = await accessibilityProblems(page);
      await page.click('#tab-speed');
      seen.speed = await accessibilityProblems(page);
      expect(seen).toEqual({
        volumes: { unnamed: [], lowContrast: [] },
        training: { unnamed: [], lowContrast: [] },
        speed: { unnamed: [], lowContrast: [] },
      });
    });
  });
});
