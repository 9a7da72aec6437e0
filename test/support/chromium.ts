// Headless Debian Chromium driven by playwright-core (which downloads no browser). .ci/run installs
// the Debian package; a missing or broken Chromium fails the tests that need it, never skips them.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The flags that start Chromium on these machines (as root, without network): the background
 * services would otherwise try to reach the outside at every start. playwright-core adds a new,
 * empty --user-data-dir of its own.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}; the browser tests need it: apt-get install ` +
        'chromium (as .ci/run does)',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, timeout: 60_000 });
}
