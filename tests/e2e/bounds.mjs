// How the long-session tests bound what a page keeps: wasm memory, DOM
// nodes and event listeners, measured after a warm-up and again after
// the work, through the Chrome DevTools Protocol.

import assert from 'node:assert/strict';

// After the first cycles have warmed the allocator, the rest may grow
// wasm memory by at most this much (it never shrinks, so a leak shows as
// growth), and leave at most this many extra nodes and listeners.
export const MEMORY_GROWTH_BYTES = 16 << 20;
export const EXTRA_NODES = 50;
export const EXTRA_LISTENERS = 5;

/** A CDP session on `page` with the performance metrics enabled. */
export async function metricsSession(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return cdp;
}

/** The page's DOM nodes and JS event listeners, after a garbage
 * collection. With `page`, first after two rendering updates: Chromium
 * counts the nodes of elements just removed until a frame has been
 * rendered since. */
export async function metrics(cdp, page) {
  if (page) {
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  }
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { nodes: get('Nodes'), listeners: get('JSEventListeners') };
}

/** Asserts that `m` (named `name`) keeps within the bounds over `base`. */
export function assertWithin(name, base, m) {
  assert.ok(m.nodes - base.nodes <= EXTRA_NODES, `${name}: ${m.nodes - base.nodes} more DOM nodes (bound ${EXTRA_NODES})`);
  assert.ok(m.listeners - base.listeners <= EXTRA_LISTENERS,
    `${name}: ${m.listeners - base.listeners} more listeners (bound ${EXTRA_LISTENERS})`);
}

/** Asserts that wasm memory grew from `before` to `after` by at most the bound. */
export function assertMemoryWithin(name, before, after) {
  assert.ok(after - before <= MEMORY_GROWTH_BYTES,
    `${name}: wasm memory grew by ${((after - before) / 2 ** 20).toFixed(1)} MiB (bound ${MEMORY_GROWTH_BYTES / 2 ** 20} MiB)`);
}
