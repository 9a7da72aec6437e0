// The two browsers of the runtime matrix behind one small interface: Debian's Chromium driven by
// playwright-core (test/support/chromium.ts), and Debian's Firefox ESR driven by puppeteer-core
// over WebDriver BiDi (Playwright drives only its own patched Firefox builds). Neither downloads a
// browser; a browser that is missing or does not start fails every check of its row.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { launchChromium } from '../support/chromium.js';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

export interface MatrixBrowser {
  /** Product and version, e.g. 'Chromium 156.0.8078.129', 'Firefox 153.8.0esr'. */
  version: string;
  /**
   * Opens `url` in a new browser context, waits for window.runCheck (runtimes/page.mjs) or, with
   * `ready`, for that global, evaluates `body(arg)` in the page, and fails on any uncaught page
   * error or console error.
   */
  evaluate<A, T>(url: string, body: (arg: A) => T | Promise<T>, arg: A, ready?: string): Promise<T>;
  close(): Promise<void>;
}

function checkErrors(errors: string[]): void {
  if (errors.length > 0) throw new Error(`the page reported errors:\n${errors.join('\n')}`);
}

export async function launchMatrixChromium(): Promise<MatrixBrowser> {
  const browser = await launchChromium();
  return {
    version: `Chromium ${browser.version()}`,
    async evaluate(url, body, arg, ready = 'runCheck') {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(`console: ${message.text()}`);
        });
        await page.goto(url);
        await page.waitForFunction((name) => name in globalThis, ready);
        const value = await page.evaluate(body as (arg: unknown) => Promise<Awaited<ReturnType<typeof body>>>, arg);
        checkErrors(errors);
        return value;
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}

export async function launchMatrixFirefox(): Promise<MatrixBrowser> {
  if (!existsSync(FIREFOX_PATH)) {
    throw new Error(
      `Firefox ESR is not installed at ${FIREFOX_PATH}; the runtime matrix needs it: ` +
        'apt-get install firefox-esr (as .ci/run does)',
    );
  }
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    protocol: 'webDriverBiDi',
    headless: true,
    timeout: 60_000,
  });
  return {
    // puppeteer's version() says 'firefox/153.8.0'; the binary says 'Mozilla Firefox 153.8.0esr'.
    version: execFileSync(FIREFOX_PATH, ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(/^Mozilla /, ''),
    async evaluate(url, body, arg, ready = 'runCheck') {
      const context = await browser.createBrowserContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(`page error: ${(error as Error).message}`));
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(`console: ${message.text()}`);
        });
        await page.goto(url);
        await page.waitForFunction((name: string) => name in globalThis, {}, ready);
        const value = (await page.evaluate(body as (arg: unknown) => unknown, arg)) as Awaited<ReturnType<typeof body>>;
        checkErrors(errors);
        return value;
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}
