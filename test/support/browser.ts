// Pages in headless Chromium for the browser tests: each in a new context, failing on any page
// error or console error.
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Opens `url` in a new context of `browser` (after `initScript`, if any), runs `body`, and fails
 * on any uncaught page error or console error.
 */
export async function withPage<T>(
  browser: Promise<Browser>,
  url: string,
  body: (page: Page) => Promise<T>,
  initScript?: () => void,
): Promise<T> {
  const context = await (await browser).newContext();
  try {
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    const value = await body(page);
    expect(errors).toEqual([]);
    return value;
  } finally {
    await context.close();
  }
}
