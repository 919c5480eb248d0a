// The TypeScript declarations (widget/chronicle.d.ts, in widget/dist/ as
// chronicle.d.ts and chronicle.d.mts): consumers that use every declared
// name type-check under `tsc --strict`, and wrong ones do not; and the
// declarations say what the code does: the objects the wasm returns
// have exactly the declared fields, of the declared kinds, and the
// options are the ones the Rust reads and the element's attributes.
//
//   bash build.sh --widget && node --test tests/e2e/types.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

import { launchChromium } from './browser.mjs';
import { startServer } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const DIST = path.join(REPO, 'widget/dist');
const TYPES = path.join(REPO, 'tests/types');
const CONSUMERS = ['module.mts', 'classic.ts'];
const TSC = path.join(REPO, 'node_modules/.bin/tsc');
const CLI = process.env.CHRONICLE_BIN || path.join(REPO, 'target/release/chronicle');

let tmp;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronicle-types-'));
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** `tsc --noEmit --strict` on `files`: `{ ok, out }`. */
function tsc(files) {
  const r = spawnSync(TSC, ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', ...files], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

/** The consumers and declarations copied into a fresh directory, each
 * changed by `edit(name, text)`; `tsc` run on the consumers there. */
function tscEdited(edit) {
  const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
  fs.mkdirSync(path.join(dir, 'widget/dist'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'tests/types'), { recursive: true });
  for (const f of ['chronicle.d.ts', 'chronicle.d.mts']) {
    fs.writeFileSync(path.join(dir, 'widget/dist', f), edit(f, fs.readFileSync(path.join(DIST, f), 'utf8')));
  }
  for (const f of CONSUMERS) {
    fs.writeFileSync(path.join(dir, 'tests/types', f), edit(f, fs.readFileSync(path.join(TYPES, f), 'utf8')));
  }
  return tsc(CONSUMERS.map((f) => path.join(dir, 'tests/types', f)));
}

test('consumers using every declared name type-check with tsc --strict', { timeout: 60_000 }, () => {
  assert.equal(fs.readFileSync(path.join(DIST, 'chronicle.d.mts'), 'utf8'),
    fs.readFileSync(path.join(DIST, 'chronicle.d.ts'), 'utf8'), 'chronicle.d.mts is chronicle.d.ts');
  const r = tsc(CONSUMERS.map((f) => path.join(TYPES, f)));
  assert.ok(r.ok, r.out);
});

test('a wrong name, in the declarations or in a consumer, fails the check', { timeout: 120_000 }, () => {
  // The same files unchanged pass (the cases below fail for their edit).
  assert.ok(tscEdited((f, s) => s).ok);
  const cases = [
    ['a field declared under another name', (f, s) => s.replace('title_spans: Span[];', 'titleSpans: Span[];'), /title_spans/],
    ['a method left out', (f, s) => s.replace(/^ {2}searchAsync\(.*$/m, ''), /searchAsync/],
    ['a nullable field declared never null', (f, s) => s.replace('excerpt: Span[] | null;', 'excerpt: Span[];'), /Unused '@ts-expect-error'/],
    ['a wrong usage in a consumer', (f, s) => s.replace('// @ts-expect-error the field is title_spans, as the wasm names it\n', ''), /titleSpans/],
  ];
  for (const [what, edit, error] of cases) {
    const r = tscEdited(edit);
    assert.ok(!r.ok, `${what}: tsc accepted it`);
    assert.match(r.out, error, what);
  }
});

// ---- the declarations against what the code does ----

const program = ts.createProgram([path.join(DIST, 'chronicle.d.ts')], { strict: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] });
const checker = program.getTypeChecker();
const declared = (() => {
  const file = program.getSourceFile(path.join(DIST, 'chronicle.d.ts'));
  const out = new Map();
  for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(file))) {
    if (s.flags & ts.SymbolFlags.Interface) out.set(s.name, checker.getDeclaredTypeOfSymbol(s));
  }
  return out;
})();

/** The JS kinds a declared type allows: 'string', 'number', 'boolean',
 * 'null', 'array', 'object', 'function'. */
function kinds(type) {
  if (type.isUnion()) return type.types.flatMap(kinds);
  const f = type.flags;
  if (f & (ts.TypeFlags.StringLike)) return ['string'];
  if (f & (ts.TypeFlags.NumberLike)) return ['number'];
  if (f & (ts.TypeFlags.BooleanLike)) return ['boolean'];
  if (f & ts.TypeFlags.Null) return ['null'];
  if (f & ts.TypeFlags.Undefined) return ['undefined'];
  if (checker.isArrayType(type)) return ['array'];
  if (type.getCallSignatures().length) return ['function'];
  return ['object'];
}

const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Where `value` departs from the declared `type` (at `at`): a field
 * missing, one not declared, or a value of a kind the type does not
 * allow, recursively. */
function departures(value, type, at) {
  const options = type.isUnion() ? type.types : [type];
  const fits = options.filter((t) => kinds(t).includes(kindOf(value)));
  if (!fits.length) return [`${at}: ${kindOf(value)}, declared ${checker.typeToString(type)}`];
  const t = fits[0];
  if (kindOf(value) === 'array') {
    const item = checker.getTypeArguments(t)[0];
    return value.flatMap((v, i) => departures(v, item, `${at}[${i}]`));
  }
  if (kindOf(value) !== 'object') return [];
  const props = checker.getPropertiesOfType(t);
  const names = props.map((p) => p.name);
  const out = Object.keys(value).filter((k) => !names.includes(k)).map((k) => `${at}.${k}: not declared`);
  for (const p of props) {
    const optional = p.flags & ts.SymbolFlags.Optional;
    if (!(p.name in value)) {
      if (!optional) out.push(`${at}.${p.name}: declared, missing`);
      continue;
    }
    out.push(...departures(value[p.name], checker.getTypeOfSymbol(p), `${at}.${p.name}`));
  }
  return out;
}

/** A declared interface's properties: name → the kinds it allows. */
function fields(name) {
  const type = declared.get(name);
  assert.ok(type, `${name} is declared`);
  return Object.fromEntries(checker.getPropertiesOfType(type).map((p) =>
    [p.name, [...new Set(kinds(checker.getNonNullableType(checker.getTypeOfSymbol(p))))].sort().join('|')]));
}

test('the objects the wasm returns are exactly the declared ones', { timeout: 120_000 }, async () => {
  // The fixture's events, served with the built widget.
  const dir = path.join(tmp, 'site');
  fs.mkdirSync(dir);
  for (const f of ['chronicle.js', 'chronicle_bg.wasm', 'chronicle.css']) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
  execFileSync(CLI, ['build', path.join(REPO, 'tests/data/events.jsonl'), '-o', path.join(dir, 'events.chron'),
    '--split', path.join(dir, 'split')], { stdio: 'pipe' });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
    + '<body><div id="w"></div><script src="chronicle.js" data-auto="false"></script></body></html>');
  const server = await startServer(dir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => window.Chronicle);
    const got = await page.evaluate(async () => {
      const ix = await Chronicle.load('events.chron');
      const split = await Chronicle.load('split/index.chron');
      const results = [
        ix.search('from:1990', { limit: 100, related: 5 }),
        ix.search('tarkoy'),
        ix.search('zzzzqqq'),
        await split.searchAsync('people united'),
      ];
      const related = results[0].hits.map((h) => ix.related(h.doc, 10));
      const details = [];
      const el = document.getElementById('w');
      el.addEventListener('chronicle:results', (e) => details.push(e.detail));
      const w = await Chronicle.mount(el, { index: ix });
      w.setQuery('people');
      w.unmount();
      const attributes = customElements.get('chronicle-search').observedAttributes;
      return { results, related, infos: [ix.info(), split.info()], details, attributes };
    });
    const check = (values, name) => {
      const type = declared.get(name);
      assert.ok(type, `${name} is declared`);
      const out = values.flatMap((v, i) => departures(v, type, `${name}#${i}`));
      assert.deepEqual(out, [], `${name}: what the wasm returns departs from the declaration`);
    };
    check(got.results, 'SearchResult');
    check(got.related.flat(), 'RelatedEvent');
    check(got.infos, 'IndexInfo');
    check(got.details, 'ResultsDetail');
    // The values cover every field, nested ones included.
    const hits = got.results.flatMap((r) => r.hits);
    assert.ok(hits.some((h) => h.excerpt) && hits.some((h) => h.category) && hits.some((h) => h.url));
    assert.ok(hits.some((h) => h.sources.some((s) => s.url && s.href)) && hits.some((h) => h.related.length));
    assert.ok(got.results.some((r) => r.suggestion) && got.results[0].facets.contexts.length && got.results[0].years.length);
    assert.ok(got.related.flat().length && got.details.length);

    // The options: each one the Rust reads is declared, of its kind, and
    // the element has an attribute for each mount option.
    const rust = (file) => {
      const text = fs.readFileSync(path.join(REPO, 'src/wasm', file), 'utf8');
      const kind = { string: 'string', count: 'number', flag: 'boolean' };
      return Object.fromEntries([...text.matchAll(/\bf\.(\w+)\("(\w+)"\)/g)].map(([, how, name]) => [name, kind[how] ?? how]));
    };
    // (`lang` is the loader's, which gives the wasm `strings` and the
    // `locale` of that language.)
    const { index, lang, ...mountOptions } = fields('MountOptions');
    assert.equal(index, 'object|string');
    assert.equal(lang, 'string');
    const { locale, ...widgetOptions } = rust('dom.rs');
    assert.equal(locale, 'object');
    assert.deepEqual(mountOptions, widgetOptions, 'MountOptions: the options Widget::mount reads');
    const { sort, ...searchOptions } = fields('SearchOptions');
    assert.equal(sort, 'string');
    assert.deepEqual({ ...searchOptions, sort }, rust('mod.rs'), 'SearchOptions: the options search reads');
    const kebab = (k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    // (Every option but the `strings` object, which no attribute holds.)
    const { strings, ...byAttribute } = fields('MountOptions');
    assert.equal(strings, 'object');
    assert.deepEqual([...got.attributes].sort(), Object.keys(byAttribute).map(kebab).sort(),
      '<chronicle-search> has an attribute for each mount option');
  } finally {
    await browser.close();
    await server.close();
  }
});
