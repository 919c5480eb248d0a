// Shared headless-Chromium launcher for the e2e tests and bench/perf.mjs.
// Uses the system (Debian) Chromium; never downloads a browser.

import fs from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-default-browser-check',
]);

/**
 * Launch headless Chromium.
 * @param {{extraArgs?: string[]}} [opts]
 */
export async function launchChromium({ extraArgs = [] } = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it with \`apt-get install -y chromium\` ` +
        `(or set CHROMIUM_PATH). Browsers are never downloaded by these scripts.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
