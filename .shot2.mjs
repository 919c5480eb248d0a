import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu','--disable-dev-shm-usage','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await browser.newPage();
await page.goto('http://127.0.0.1:8765/index.html');
await page.waitForSelector('[data-chronicle][data-state="ready"]', { timeout: 60000 });
const out = await page.evaluate(async () => {
  const ix = await Chronicle.load('events.chron');
  const res = {};
  for (const q of ['l', 'w', 'e', 'ea', 'ear', 'eart', 'earthquake', 'earthquake j', 'lavrov geneva', 'obama']) {
    const t = [];
    for (const opts of [{limit: 20, facets: false}, {limit: 20}, {limit: 0}, {limit: 0, facets: false}]) {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) ix.search(q, opts);
      t.push(((performance.now() - t0) / 5).toFixed(1));
    }
    res[q] = t.join(' / ');
  }
  return res;
});
console.log('query: hits20-nofacets / hits20+facets / facets-only / nothing');
console.log(out);
await browser.close();
