import { chromium } from 'playwright-core';
import path from 'node:path';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu','--disable-dev-shm-usage','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
for (let i = 0; i < 3; i++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const t0 = Date.now();
  await page.goto('file://' + path.resolve('www/offline.html'));
  const dcl = await page.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd);
  await page.waitForSelector('[data-chronicle][data-state="ready"]', { timeout: 60000 });
  console.log('DCL', dcl.toFixed(0), 'ready', Date.now() - t0, 'ms');
  await ctx.close();
}
await browser.close();
