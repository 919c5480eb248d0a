// What the facets cost over a split index: for each query, the bytes and
// requests until the first results of a fresh page, then those the
// facets add once typing pauses (the forward lists of every match and
// the names of the values shown). Serve the demo with gzip first:
//
//   bash build.sh && target/release/chronicle serve www --port 8123 &
//   node bench/facets.mjs http://127.0.0.1:8123/split/ "earthquake japan" "election"
//
// Bytes are the response bodies as sent plus their headers.
import { launchChromium } from '../tests/e2e/browser.mjs';

const [url, ...queries] = process.argv.slice(2);
if (!url || !queries.length) {
  console.error('usage: node bench/facets.mjs URL QUERY...');
  process.exit(2);
}
const browser = await launchChromium();
try {
  for (const q of queries) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    let bytes = 0;
    let reqs = 0;
    page.on('requestfinished', async (r) => {
      const s = await r.sizes();
      bytes += s.responseBodySize + s.responseHeadersSize;
      reqs++;
    });
    await page.goto(url);
    await page.waitForSelector('[data-chronicle][data-state=ready]');
    await page.fill('input[role=combobox]', q);
    await page.waitForSelector('[role=option]');
    await page.waitForTimeout(50);
    const first = [bytes, reqs];
    await page.waitForFunction(
      () => [...document.querySelectorAll('.chronicle-facet legend')].some((h) => h.textContent === 'About'),
      null,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(300);
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `${JSON.stringify(q)}: first results ${kib(first[0])} in ${first[1]} requests; ` +
        `facets then ${kib(bytes - first[0])} in ${reqs - first[1]}`,
    );
    await ctx.close();
  }
} finally {
  await browser.close();
}
