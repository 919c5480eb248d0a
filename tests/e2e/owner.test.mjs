// A site owner's whole workflow, from the installed binary alone:
//
//   cargo install --path . --locked --root TMP     (the test does this)
//   chronicle build SRC --site public              (Markdown event pages)
//   … paste the printed <script> tag into public/index.html …
//   chronicle serve public                          (the preview)
//   chronicle bundle public/chronicle/… --base-url  (the offline file)
//
// The binary runs with PATH holding only its own directory, from a fresh
// directory holding only the owner's files (a copy of the Markdown
// fixture, tests/data/input/site/): no checkout, no Node, no wasm
// toolchain. Headless Chromium then searches the preview (served with
// the strict CSP) and the offline file from file://.
//
// CHRONICLE_TARGET_DIR (default target/) is the Cargo target directory
// the install builds in, so it reuses what build.sh compiled.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { launchChromium } from './browser.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const FIXTURE = path.join(REPO, 'tests/data/input/site');
const SEED = 'news/2014/05/6/russian-foreign-minister-sergey-lavrov-rules-out-any-fresh-talks-in-geneva-to-defuse-the-crisis-unless-pro-russian-groups-are-also-involved';
const OPTION = '[role="option"]';

let tmp;
let bin;
let browser;

/** The owner's environment: only the installed binary on PATH. */
function ownerEnv() {
  return { PATH: path.dirname(bin), HOME: tmp, LANG: 'C.UTF-8' };
}

/** Runs `chronicle ARGS` in `cwd` as the owner; returns stdout. */
function chronicle(cwd, args) {
  return execFileSync('chronicle', args, { cwd, env: ownerEnv(), encoding: 'utf8' });
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-owner-'));
  const root = path.join(tmp, 'root');
  execFileSync(
    'cargo',
    ['install', '--path', REPO, '--locked', '--quiet', '--root', root,
      '--target-dir', process.env.CHRONICLE_TARGET_DIR || path.join(REPO, 'target')],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  bin = path.join(root, 'bin', 'chronicle');
  assert.deepEqual(fs.readdirSync(path.dirname(bin)), ['chronicle'], 'the install puts one binary on PATH');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Starts `chronicle serve DIR --port 0`; resolves to { url, stop }. */
async function serve(cwd, dir) {
  const child = spawn('chronicle', ['serve', dir, '--port', '0'], {
    cwd,
    env: ownerEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`chronicle serve exited with ${code}`)));
  });
  const m = /^Serving .* at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)$/.exec(line);
  assert.ok(m, `chronicle serve printed ${JSON.stringify(line)}`);
  return {
    url: m[1],
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGINT'); // what Ctrl-C sends
    }),
  };
}

/** A fresh page that fails the test on a console error or page error. */
async function withPage(fn) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await fn(page);
    await page.waitForTimeout(100);
    assert.deepEqual(errors, [], 'no console or page errors');
  } finally {
    await context.close();
  }
}

/** Types the query into the widget and returns the seed event's title link. */
async function findSeed(page) {
  await page.waitForSelector('[data-chronicle][data-state="ready"]');
  const input = page.locator('input[role="combobox"]').first();
  await input.click();
  await input.pressSequentially('lavrov geneva', { delay: 25 });
  const option = page.locator(`${OPTION}[data-id="${SEED}"]`);
  await option.waitFor();
  assert.match(await option.innerText(), /Sergey Lavrov rules out any fresh talks in Geneva/);
  // The title's link sits beside its option, in the same hit.
  return page.locator(`.chronicle-hit:has(${OPTION}[data-id="${SEED}"]) a.chronicle-link`);
}

test('a site owner: install, build --site from Markdown pages, serve, search, offline file', { timeout: 600_000 }, async () => {
  const work = path.join(tmp, 'work');
  fs.mkdirSync(work);
  fs.cpSync(FIXTURE, path.join(work, 'pages'), { recursive: true });
  const pub = path.join(work, 'public');
  // The owner's site: their own page, and the event pages their site
  // generator made from the Markdown (here, one for the seed).
  fs.mkdirSync(path.join(pub, path.dirname(SEED)), { recursive: true });
  fs.writeFileSync(path.join(pub, `${SEED}.html`),
    '<!doctype html><html lang="en"><title>Lavrov rules out talks</title><h1>The event page</h1></html>');

  assert.match(chronicle(work, ['--version']), /^chronicle \S+ \(index format: writes \d+, reads [\d to]+\)\n$/);
  const out = chronicle(work, ['build', 'pages', '--site', 'public']);
  const tag = /\n {2}(<script [^\n]*><\/script>)\n/.exec(out)?.[1];
  assert.ok(tag, `build --site prints the tag to paste:\n${out}`);
  assert.equal(tag, '<script src="chronicle/chronicle.js" data-index="chronicle/events.chron" data-base-url="./"></script>');
  for (const f of ['chronicle.js', 'chronicle_bg.wasm', 'chronicle.css', 'events.chron']) {
    assert.ok(fs.statSync(path.join(pub, 'chronicle', f)).size > 0, f);
  }
  fs.writeFileSync(path.join(pub, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>My news archive</title></head>
<body><h1>My news archive</h1>
${tag}
</body></html>
`);

  const server = await serve(work, 'public');
  try {
    await withPage(async (page) => {
      const resp = await page.goto(server.url);
      assert.match(resp.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
      const link = await findSeed(page);
      const href = await link.evaluate((a) => a.href);
      assert.equal(href, `${server.url}${SEED}.html`, 'the title links to the event\'s page on the site');
      await Promise.all([page.waitForURL(href), link.click()]);
      assert.equal(await page.locator('h1').innerText(), 'The event page');
    });
  } finally {
    await server.stop();
  }

  chronicle(work, ['bundle', 'public/chronicle/events.chron', '-o', 'offline.html',
    '--base-url', 'https://example.org/archive/']);
  const doc = pathToFileURL(path.join(work, 'offline.html')).href;
  await withPage(async (page) => {
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(doc);
    const link = await findSeed(page);
    assert.equal(await link.getAttribute('href'), `https://example.org/archive/${SEED}.html`);
    assert.deepEqual(requests, [doc], 'the offline file makes no request besides itself');
  });
});
