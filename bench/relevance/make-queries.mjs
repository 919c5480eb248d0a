// Generates the labelled query set of the relevance benchmark:
//
//   node bench/relevance/make-queries.mjs        # writes bench/relevance/queries.jsonl
//
// Deterministic: the same corpus gives byte-identical output (fixed seed, no
// clock, no Math.random, stable sorts). Reads the FULL corpus, main then
// supplement, in file order:
//   data/wcep-events.jsonl.gz, data/wcep-events-2018-2026-plaintext.jsonl.gz
//
// One JSON line per query: {id, class, query, relevant: [event ids], target?,
// variant?}. `target` is the known-item event id; `variant` describes the change
// made to the exact query (e.g. {"word": "negotiations", "typed": "negotiati",
// "last": false}). Queries are typed as a user would: lower case, words
// separated by one space, no trailing space.
//
// Method (SEED below, or RELEVANCE_SEED; RELEVANCE_QUERIES_OUT writes elsewhere; every random choice comes from a mulberry32 stream that is
// seeded with hash(SEED + ":" + purpose), so the classes do not disturb each
// other):
//
// Tokens: title lower-cased, split on every run of characters that are not
//   Unicode letters or digits ("pro-Russian" -> "pro", "russian"). Title
//   document frequency (df) = number of events whose title has the token.
//   Candidate words of a title: distinct tokens with at least 4 letters, not
//   pure numbers, not in STOP_WORDS.
//
// Known-item classes exact, half, typo, stem (the SAME N_KNOWN target events
// for all four):
//   Targets are taken in the order of a seeded shuffle of all events; an event
//   is used when it has >= 2 candidate words and all four variants below can be
//   made from its words (in practice: one of the chosen words has a
//   stem-prefix, see `stem`; ~55 % of events qualify) and no cut word equals
//   another word of the query.
//   exact : 2 or 3 (seeded, 50/50) candidate words with the lowest df (ties:
//           earlier in the title), written in title order.
//           relevant = [target] + every other event whose title is identical
//           (case- and whitespace-insensitive) + every event whose title holds
//           all the words the query stands for (`relevantFor`; a compound of
//           split, joined and hyphen counts glued, hyphenated or apart but
//           adjacent): a reader would take any of them.
//   half  : the exact query with its last word cut to max(3, ceil(len/2))
//           characters (always shorter than the word, since words have >= 4).
//   typo  : one query word of >= 5 characters (seeded) gets exactly one edit,
//           seeded among substitution (a-z, different letter), deletion,
//           insertion (a-z) and transposition of two different adjacent
//           characters; the result must not be a token of the corpus (titles,
//           contexts, categories, source names), else another edit is drawn.
//   stem  : one query word w (seeded among eligible ones) is replaced by a
//           prefix p with len(stem(w)) < len(p) < len(w), where stem() is the
//           Snowball English (Porter2) stemmer of the npm package
//           `snowball-stemmers` 0.6.0 (the algorithm Chronicle's builder uses),
//           stem(w) must be a prefix of w and p must not itself be a corpus
//           token (so "negotiations" -> stem "negoti" -> "negotiati", but not
//           "hostages" -> "hostage"). Prefix length seeded among the allowed
//           ones. Other words stay as typed in full. `variant.last` says whether
//           the cut word is the query's last word (most engines treat the last
//           word as a prefix, so the non-last case is the harder one).
//   relevant is the same set for all four classes of a target.
//
// entity: context names (Wikipedia article titles) grouped case-insensitively;
//   a group qualifies when 5..200 events carry it (any of its spellings) and the
//   name has no "(" (disambiguated titles like "Georgia (country)" are not
//   something users type). N_ENTITY groups are drawn by a seeded shuffle of the
//   qualifying names (sorted first). query = the name lower-cased, typographic
//   dashes as "-" (myanmar–united states -> myanmar-united states); relevant =
//   every event carrying it (any case variant). `context` = first spelling seen.
//
// Later known-item classes (split, joined, twotypo, hyphen): each draws its OWN
//   targets, from its own seeded shuffle of all events (streams
//   "<class>:targets", "<class>:word-count", "<class>:pick"), so none disturbs
//   another or the five classes above; up to N_KNOWN queries each (fewer only if
//   the corpus runs out of events that qualify). For every visited event k = 2 or
//   3 (seeded, 50/50) is drawn: the number of query words, the altered word
//   counting as one. "The k-1 rarest other words" = the k-1 candidate words of
//   the title with the lowest df (ties: earlier), not equal to any part of the
//   altered word, as `exact` chooses them. Words in title order. relevant =
//   [target] + every event with an identical title, as above.
//   Word parts (of split and joined words): letters only, >= 3 letters, not in
//   STOP_WORDS or SHORT_FUNCTION (3-letter function words: "the", "for", ...).
//   split  : a title candidate word w (letters only) that is two word parts a+b
//            glued, each with title df >= SPLIT_PART_MIN_DF (20), and "a b" or
//            "a-b" written in at least one title (so "ceasefire" -> "cease fire",
//            "healthcare" -> "health care", but not "killing" -> "kill ing");
//            of several cuts, the most written one (ties: the earlier cut). The
//            event needs such a word (seeded pick among them) and >= 1 other
//            candidate word. Query: w typed as "a b" plus the k-1 rarest other
//            words. variant = {word, typed, attested: titles with "a b"/"a-b"}.
//   joined : two ADJACENT title tokens x y (separated by one space in the
//            title), both word parts, x != y, written "x y" in >= JOIN_PAIR_MIN
//            (5) titles, and a phrase: titles with "x y" / min(df x, df y) >=
//            JOIN_ASSOC_MIN (0.5) (so "hong kong", "world cup", "united states");
//            x+y must not be a corpus token (titles, contexts, categories,
//            source names), so an engine can only find it by splitting. Seeded
//            pick among the event's pairs; >= 1 other candidate word needed.
//            Query: "xy" plus the k-1 rarest other words. variant = {words,
//            typed, phrase: titles with "x y"}.
//   twotypo: the exact query of the event (k rarest candidate words) with two
//            different words of >= 5 characters (seeded) given one edit each, by
//            the `typo` rules (the result not a corpus token, else another edit is
//            drawn). Unlike `typo`, two words are wrong, and in a 2-word query
//            no word is left intact (variant.intact = words left as typed).
//   hyphen : a hyphenated title compound: a maximal run of >= 2 title tokens
//            joined by "-" (or U+2010/U+2011), every part with a letter, >= 5
//            letters in all ("pro-Russian", "al-Shabaab", "vice-president"; not
//            "COVID-19" or "58-year-old"), typed lower-cased with "-" between the
//            parts, plus the k-1 rarest other words (seeded pick among the
//            event's compounds; >= 1 other candidate word needed).
//            variant = {word, parts}.
//
// Output order: exact, half, typo, stem (targets in draw order), entity, then
// split, joined, twotypo, hyphen (each in its own draw order).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const snowball = require('snowball-stemmers');

export const SEED = Number(process.env.RELEVANCE_SEED) || 20261202;
export const N_KNOWN = 175;
export const N_ENTITY = 175;
export const ENTITY_MIN = 5;
export const ENTITY_MAX = 200;
// split / joined: how common a part must be, and how often a glued pair is a phrase
export const SPLIT_PART_MIN_DF = 20;
export const JOIN_PAIR_MIN = 5;
export const JOIN_ASSOC_MIN = 0.5;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
// The full corpus (114,017 events), or with BENCH_CORPUS=main the main
// corpus alone (69,149 events, 1999–2018): the engines benchmark's two sizes.
export const CORPUS_MAIN = process.env.BENCH_CORPUS === 'main';
export const CORPUS_FILES = [
  path.join(ROOT, 'data', 'wcep-events.jsonl.gz'),
  path.join(ROOT, 'data', 'wcep-events-2018-2026-plaintext.jsonl.gz'),
].slice(0, CORPUS_MAIN ? 1 : 2);
const OUT = path.resolve(process.env.RELEVANCE_QUERIES_OUT || path.join(HERE, 'queries.jsonl'));

// Common English function words (plus a few news-summary fillers that are
// never distinctive). Only words of >= 4 letters matter here.
const STOP_WORDS = new Set(
  `about above after again against also although among amongst another around
  because been before being below between both cannot could does doing down
  during each either else even ever every from further have having here hers
  herself himself into itself just least less many more most much must myself
  near neither never none nothing once only other others ought ours ourselves
  over same shall should since some such than that their theirs them
  themselves then there therefore these they this those though through thus
  till under until upon very were what whatever when whenever where whereas
  whether which while whom whose will with within without would your yours
  yourself yourselves says said according`.split(/\s+/).filter(Boolean),
);

// Three-letter function words: never a part of a split or joined word (with
// STOP_WORDS), so "can not" or "for the" are not made.
const SHORT_FUNCTION = new Set(
  `all and any are but can did few for had has her him his how its may nor not
  off one our own per she the too two was who why yet you`.split(/\s+/).filter(Boolean),
);

// ---------------------------------------------------------------- randomness

function hashString(s) {
  // FNV-1a 32-bit
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function mulberry32(a) {
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rngFor(purpose) {
  const r = mulberry32(hashString(`${SEED}:${purpose}`));
  return {
    float: r,
    int: (n) => Math.floor(r() * n), // 0..n-1
    pick: (xs) => xs[Math.floor(r() * xs.length)],
    shuffle(xs) {
      const a = xs.slice();
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
      }
      return a;
    },
  };
}

// ---------------------------------------------------------------- corpus

export function loadCorpus(files = CORPUS_FILES) {
  const events = [];
  for (const f of files) {
    if (!fs.existsSync(f)) throw new Error(`corpus file missing: ${f}`);
    const text = zlib.gunzipSync(fs.readFileSync(f)).toString('utf8');
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line));
      } catch (e) {
        throw new Error(`${f}:${lineNo}: ${e.message}`);
      }
    }
  }
  return events;
}

export function tokenize(text) {
  return String(text ?? '')
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

const letterCount = (w) => (w.match(/\p{L}/gu) || []).length;
const isCandidate = (w) => letterCount(w) >= 4 && !/^\p{N}+$/u.test(w) && !STOP_WORDS.has(w);
const isWordPart = (w) =>
  /^\p{L}+$/u.test(w) && [...w].length >= 3 && !STOP_WORDS.has(w) && !SHORT_FUNCTION.has(w);
const normTitle = (t) => t.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------- variants

const ALPHA = 'abcdefghijklmnopqrstuvwxyz';

function halfWord(w) {
  const cs = [...w];
  const keep = Math.max(3, Math.ceil(cs.length / 2));
  return keep < cs.length ? cs.slice(0, keep).join('') : null;
}

function typoWord(w, rng, vocab) {
  const cs = [...w];
  for (let attempt = 0; attempt < 100; attempt++) {
    const op = rng.pick(['substitution', 'deletion', 'insertion', 'transposition']);
    let out;
    if (op === 'substitution') {
      const i = rng.int(cs.length);
      const c = rng.pick([...ALPHA].filter((x) => x !== cs[i]));
      out = [...cs.slice(0, i), c, ...cs.slice(i + 1)];
    } else if (op === 'deletion') {
      const i = rng.int(cs.length);
      out = [...cs.slice(0, i), ...cs.slice(i + 1)];
    } else if (op === 'insertion') {
      const i = rng.int(cs.length + 1);
      out = [...cs.slice(0, i), rng.pick([...ALPHA]), ...cs.slice(i)];
    } else {
      const i = rng.int(cs.length - 1);
      if (cs[i] === cs[i + 1]) continue;
      out = [...cs.slice(0, i), cs[i + 1], cs[i], ...cs.slice(i + 2)];
    }
    const s = out.join('');
    if (s !== w && !vocab.has(s)) return { typed: s, op };
  }
  return null;
}

/** Tokens of a text with the separator before each: [{tok, sep}] (sep of the first = ''). */
function tokensWithSeps(text) {
  const s = String(text ?? '').normalize('NFC').toLowerCase();
  const out = [];
  const re = /[\p{L}\p{N}]+/gu;
  let m;
  let end = 0;
  while ((m = re.exec(s))) {
    out.push({ tok: m[0], sep: out.length ? s.slice(end, m.index) : '' });
    end = m.index + m[0].length;
  }
  return out;
}

/** All prefixes p of w with len(stem) < len(p) < len(w) that are not corpus tokens. */
function stemPrefixes(w, stemmer, vocab) {
  const stem = stemmer.stem(w);
  if (!w.startsWith(stem)) return [];
  const cs = [...w];
  const stemLen = [...stem].length;
  const out = [];
  for (let k = stemLen + 1; k < cs.length; k++) {
    const p = cs.slice(0, k).join('');
    if (!vocab.has(p)) out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------- main

export function makeQueries(events) {
  const stemmer = snowball.newStemmer('english');

  // df over titles; vocabulary over every indexed field
  const df = new Map();
  const vocab = new Set();
  const byTitle = new Map();
  const titleTokens = new Array(events.length);
  const titleSeps = new Array(events.length); // tokens with the separator before each
  const phraseN = new Map(); // "x y": titles with x, one space, y (word parts only)
  const attestN = new Map(); // "x y": titles with x, a space or "-", y (word parts only)
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const toks = tokenize(e.title);
    titleTokens[i] = toks;
    const ts = tokensWithSeps(e.title);
    titleSeps[i] = ts;
    const seenP = new Set();
    const seenA = new Set();
    for (let j = 1; j < ts.length; j++) {
      if (!isWordPart(ts[j - 1].tok) || !isWordPart(ts[j].tok)) continue;
      const key = `${ts[j - 1].tok} ${ts[j].tok}`;
      if (ts[j].sep === ' ' && !seenP.has(key)) {
        seenP.add(key);
        phraseN.set(key, (phraseN.get(key) || 0) + 1);
      }
      if ((ts[j].sep === ' ' || ts[j].sep === '-') && !seenA.has(key)) {
        seenA.add(key);
        attestN.set(key, (attestN.get(key) || 0) + 1);
      }
    }
    for (const w of new Set(toks)) df.set(w, (df.get(w) || 0) + 1);
    for (const w of toks) vocab.add(w);
    for (const c of e.contexts || []) for (const w of tokenize(c)) vocab.add(w);
    for (const s of e.sources || []) for (const w of tokenize(s.name)) vocab.add(w);
    for (const w of tokenize(e.category)) vocab.add(w);
    const nt = normTitle(e.title);
    if (!byTitle.has(nt)) byTitle.set(nt, []);
    byTitle.get(nt).push(e.id);
  }

  // Every event whose title holds all of `units` (a unit: a word, or the
  // parts of a compound, which count written glued, hyphenated or apart
  // but adjacent): a known-item query is answered as well by any of them,
  // so they are relevant too (not only the target and identical titles).
  const postings = new Map();
  titleTokens.forEach((toks, i) => {
    for (const w of new Set(toks)) {
      if (!postings.has(w)) postings.set(w, []);
      postings.get(w).push(i);
    }
  });
  const unitDocs = (u) => {
    if (typeof u === 'string') return new Set(postings.get(u) || []);
    const out = new Set(postings.get(u.join('')) || []);
    const lists = u.map((w) => postings.get(w) || []);
    const [rarest] = [...lists].sort((a, b) => a.length - b.length);
    for (const i of rarest) {
      const ts = titleSeps[i];
      for (let j = 0; j + u.length <= ts.length; j++) {
        if (u.every((w, k) => ts[j + k].tok === w && (k === 0 || /^[ \-\u2010\u2011]$/.test(ts[j + k].sep)))) {
          out.add(i);
          break;
        }
      }
    }
    return out;
  };
  const holders = (units) => {
    const sets = units.map(unitDocs).sort((a, b) => a.size - b.size);
    return [...sets[0]].filter((i) => sets.every((s) => s.has(i))).sort((a, b) => a - b);
  };
  const relevantFor = (e, units) => {
    const ids = [e.id, ...byTitle.get(normTitle(e.title)).filter((id) => id !== e.id)];
    for (const i of holders(units)) if (!ids.includes(events[i].id)) ids.push(events[i].id);
    return ids;
  };

  // ---- known-item targets
  const order = rngFor('targets').shuffle([...events.keys()]);
  const rWords = rngFor('word-count');
  const rTypo = rngFor('typo');
  const rStem = rngFor('stem');
  const known = [];
  for (const idx of order) {
    if (known.length >= N_KNOWN) break;
    const toks = titleTokens[idx];
    const firstPos = new Map();
    toks.forEach((w, p) => {
      if (!firstPos.has(w)) firstPos.set(w, p);
    });
    const cands = [...firstPos.keys()].filter(isCandidate);
    const k = rWords.float() < 0.5 ? 2 : 3; // drawn for every visited event
    if (cands.length < 2) continue;
    cands.sort((a, b) => df.get(a) - df.get(b) || firstPos.get(a) - firstPos.get(b));
    const words = cands.slice(0, Math.min(k, cands.length));
    words.sort((a, b) => firstPos.get(a) - firstPos.get(b));

    const halfLast = halfWord(words[words.length - 1]);
    const typoIdx = words.map((w, i) => ([...w].length >= 5 ? i : -1)).filter((i) => i >= 0);
    const stemIdx = words
      .map((w, i) => (stemPrefixes(w, stemmer, vocab).length ? i : -1))
      .filter((i) => i >= 0);
    if (!halfLast || !typoIdx.length || !stemIdx.length) continue;

    const ti = rTypo.pick(typoIdx);
    const typo = typoWord(words[ti], rTypo, vocab);
    if (!typo) continue;
    const si = rStem.pick(stemIdx);
    const stemTyped = rStem.pick(stemPrefixes(words[si], stemmer, vocab));

    // a cut word equal to another query word ("plea pleading" -> "plea plea") is no query anyone types
    const others = (i) => words.filter((_, j) => j !== i);
    if (others(words.length - 1).includes(halfLast) || others(si).includes(stemTyped)) continue;

    const e = events[idx];
    const relevant = relevantFor(e, words);
    known.push({ e, words, relevant, halfLast, ti, typo, si, stemTyped, stem: stemmer.stem(words[si]) });
  }
  if (known.length < N_KNOWN) throw new Error(`only ${known.length} known-item targets found`);

  const newClasses = makeNewClasses({ events, df, vocab, titleTokens, titleSeps, phraseN, attestN, relevantFor });

  const out = [];
  const pad = (n) => String(n).padStart(3, '0');
  const replaceAt = (ws, i, w) => ws.map((x, j) => (j === i ? w : x));
  known.forEach((t, n) => {
    out.push({ id: `exact-${pad(n + 1)}`, class: 'exact', query: t.words.join(' '), relevant: t.relevant, target: t.e.id });
  });
  known.forEach((t, n) => {
    const last = t.words.length - 1;
    out.push({
      id: `half-${pad(n + 1)}`,
      class: 'half',
      query: replaceAt(t.words, last, t.halfLast).join(' '),
      relevant: t.relevant,
      target: t.e.id,
      variant: { word: t.words[last], typed: t.halfLast, last: true },
    });
  });
  known.forEach((t, n) => {
    out.push({
      id: `typo-${pad(n + 1)}`,
      class: 'typo',
      query: replaceAt(t.words, t.ti, t.typo.typed).join(' '),
      relevant: t.relevant,
      target: t.e.id,
      variant: { word: t.words[t.ti], typed: t.typo.typed, edit: t.typo.op, last: t.ti === t.words.length - 1 },
    });
  });
  known.forEach((t, n) => {
    out.push({
      id: `stem-${pad(n + 1)}`,
      class: 'stem',
      query: replaceAt(t.words, t.si, t.stemTyped).join(' '),
      relevant: t.relevant,
      target: t.e.id,
      variant: { word: t.words[t.si], stem: t.stem, typed: t.stemTyped, last: t.si === t.words.length - 1 },
    });
  });

  // ---- entity
  const groups = new Map(); // lower-cased name -> {name, ids:Set}
  for (const e of events) {
    for (const c of new Set(e.contexts || [])) {
      const key = c.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
      if (!key) continue;
      if (!groups.has(key)) groups.set(key, { name: c, ids: new Set() });
      groups.get(key).ids.add(e.id);
    }
  }
  const eligible = [...groups.keys()]
    .filter((k) => !k.includes('('))
    .filter((k) => tokenize(k).length > 0)
    .filter((k) => {
      const n = groups.get(k).ids.size;
      return n >= ENTITY_MIN && n <= ENTITY_MAX;
    })
    .sort();
  const picked = rngFor('entity').shuffle(eligible).slice(0, N_ENTITY);
  picked.forEach((k, n) => {
    const g = groups.get(k);
    // typed on a keyboard: typographic dashes become '-'
    const query = k.replace(/[\u2010-\u2015\u2212]/g, '-');
    out.push({ id: `entity-${pad(n + 1)}`, class: 'entity', query, relevant: [...g.ids], context: g.name });
  });

  out.push(...newClasses.queries);

  return { queries: out, stats: { events: events.length, entityEligible: eligible.length, ...newClasses.stats } };
}

// ---------------------------------------------------------------- split, joined, twotypo, hyphen

/**
 * The four later known-item classes. Each draws its own targets (its own seeded
 * shuffle of all events) and its own word counts, so none disturbs another or
 * the five classes above.
 */
function makeNewClasses({ events, df, vocab, titleTokens, titleSeps, phraseN, attestN, relevantFor }) {
  const posOf = (toks) => {
    const firstPos = new Map();
    toks.forEach((w, p) => {
      if (!firstPos.has(w)) firstPos.set(w, p);
    });
    return firstPos;
  };
  // the k lowest-df candidate words of a title (ties: earlier), not in `exclude`
  const rarest = (firstPos, k, exclude = new Set()) =>
    [...firstPos.keys()]
      .filter((w) => isCandidate(w) && !exclude.has(w))
      .sort((a, b) => df.get(a) - df.get(b) || firstPos.get(a) - firstPos.get(b))
      .slice(0, k);

  // split: title tokens that are two common word parts glued, the two-word
  // spelling attested in some title (space or hyphen). Best split of a word: the
  // most attested (ties: the earlier cut).
  const splitOf = new Map();
  for (const w of [...df.keys()].sort()) {
    if (!isCandidate(w) || !/^\p{L}+$/u.test(w)) continue;
    const cs = [...w];
    let best = null;
    for (let k = 3; k <= cs.length - 3; k++) {
      const a = cs.slice(0, k).join('');
      const b = cs.slice(k).join('');
      if (!isWordPart(a) || !isWordPart(b)) continue;
      if ((df.get(a) || 0) < SPLIT_PART_MIN_DF || (df.get(b) || 0) < SPLIT_PART_MIN_DF) continue;
      const n = attestN.get(`${a} ${b}`) || 0;
      if (n >= 1 && (!best || n > best.attested)) best = { a, b, attested: n };
    }
    if (best) splitOf.set(w, best);
  }

  const collect = (name, make) => {
    const order = rngFor(`${name}:targets`).shuffle([...events.keys()]);
    const rWords = rngFor(`${name}:word-count`);
    const rPick = rngFor(`${name}:pick`);
    const got = [];
    for (const idx of order) {
      if (got.length >= N_KNOWN) break;
      const k = rWords.float() < 0.5 ? 2 : 3; // drawn for every visited event
      const q = make(idx, k, rPick);
      if (q) got.push(q);
    }
    return got;
  };
  // words [{w, typed, pos}] in title order -> the query string
  const typedQuery = (ws) => ws.sort((x, y) => x.pos - y.pos).map((x) => x.typed).join(' ');

  const split = collect('split', (idx, k, r) => {
    const firstPos = posOf(titleTokens[idx]);
    const splittable = [...firstPos.keys()].filter((w) => splitOf.has(w));
    if (!splittable.length) return null;
    const w = r.pick(splittable);
    const { a, b, attested } = splitOf.get(w);
    const others = rarest(firstPos, k - 1, new Set([w, a, b]));
    if (!others.length) return null;
    const query = typedQuery([
      { typed: `${a} ${b}`, pos: firstPos.get(w) },
      ...others.map((o) => ({ typed: o, pos: firstPos.get(o) })),
    ]);
    return { idx, query, units: [[a, b], ...others], variant: { word: w, typed: `${a} ${b}`, attested } };
  });

  const joined = collect('joined', (idx, k, r) => {
    const ts = titleSeps[idx];
    const firstPos = posOf(titleTokens[idx]);
    const pairs = [];
    const seen = new Set();
    for (let j = 1; j < ts.length; j++) {
      const x = ts[j - 1].tok;
      const y = ts[j].tok;
      if (ts[j].sep !== ' ' || x === y || !isWordPart(x) || !isWordPart(y)) continue;
      const n = phraseN.get(`${x} ${y}`) || 0;
      if (n < JOIN_PAIR_MIN || n / Math.min(df.get(x), df.get(y)) < JOIN_ASSOC_MIN) continue;
      if (vocab.has(x + y) || seen.has(`${x} ${y}`)) continue;
      seen.add(`${x} ${y}`);
      pairs.push({ x, y, pos: j - 1, phrase: n });
    }
    if (!pairs.length) return null;
    const p = r.pick(pairs);
    const others = rarest(firstPos, k - 1, new Set([p.x, p.y]));
    if (!others.length) return null;
    const query = typedQuery([
      { typed: p.x + p.y, pos: p.pos },
      ...others.map((o) => ({ typed: o, pos: firstPos.get(o) })),
    ]);
    return { idx, query, units: [[p.x, p.y], ...others], variant: { words: `${p.x} ${p.y}`, typed: p.x + p.y, phrase: p.phrase } };
  });

  const twotypo = collect('twotypo', (idx, k, r) => {
    const firstPos = posOf(titleTokens[idx]);
    const words = rarest(firstPos, k).sort((a, b) => firstPos.get(a) - firstPos.get(b));
    if (words.length < 2) return null;
    const long = words.map((w, i) => ([...w].length >= 5 ? i : -1)).filter((i) => i >= 0);
    if (long.length < 2) return null;
    const [i1, i2] = r.shuffle(long).slice(0, 2).sort((a, b) => a - b);
    const t1 = typoWord(words[i1], r, vocab);
    const t2 = t1 && typoWord(words[i2], r, vocab);
    if (!t1 || !t2 || t1.typed === t2.typed) return null;
    const query = typedQuery(
      words.map((w, i) => ({ typed: i === i1 ? t1.typed : i === i2 ? t2.typed : w, pos: firstPos.get(w) })),
    );
    return {
      idx,
      query,
      units: words,
      variant: { words: [words[i1], words[i2]], typed: [t1.typed, t2.typed], edits: [t1.op, t2.op], intact: words.length - 2 },
    };
  });

  const hyphen = collect('hyphen', (idx, k, r) => {
    const ts = titleSeps[idx];
    const firstPos = posOf(titleTokens[idx]);
    // maximal runs of tokens joined by a hyphen (typographic hyphens typed as "-")
    const compounds = [];
    const seen = new Set();
    for (let j = 0; j < ts.length; ) {
      let end = j + 1;
      while (end < ts.length && /^[-\u2010\u2011]$/.test(ts[end].sep)) end++;
      const parts = ts.slice(j, end).map((t) => t.tok);
      const typed = parts.join('-');
      if (
        parts.length >= 2 &&
        parts.every((t) => /\p{L}/u.test(t)) &&
        letterCount(parts.join('')) >= 5 &&
        !seen.has(typed)
      ) {
        seen.add(typed);
        compounds.push({ parts, typed, pos: j });
      }
      j = end;
    }
    if (!compounds.length) return null;
    const c = r.pick(compounds);
    const others = rarest(firstPos, k - 1, new Set(c.parts));
    if (!others.length) return null;
    const query = typedQuery([
      { typed: c.typed, pos: c.pos },
      ...others.map((o) => ({ typed: o, pos: firstPos.get(o) })),
    ]);
    return { idx, query, units: [c.parts, ...others], variant: { word: c.typed, parts: c.parts } };
  });

  const pad = (n) => String(n).padStart(3, '0');
  const queries = [];
  for (const [cls, list] of [
    ['split', split],
    ['joined', joined],
    ['twotypo', twotypo],
    ['hyphen', hyphen],
  ]) {
    list.forEach((t, n) => {
      const e = events[t.idx];
      queries.push({ id: `${cls}-${pad(n + 1)}`, class: cls, query: t.query, relevant: relevantFor(e, t.units), target: e.id, variant: t.variant });
    });
  }
  return { queries, stats: { splitWords: splitOf.size } };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const events = loadCorpus();
  const { queries, stats } = makeQueries(events);
  fs.writeFileSync(OUT, queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const byClass = {};
  for (const q of queries) byClass[q.class] = (byClass[q.class] || 0) + 1;
  console.log(
    `${stats.events} events -> ${queries.length} queries ${JSON.stringify(byClass)} ` +
      `(${stats.entityEligible} eligible entity names, ${stats.splitWords} splittable words) -> ${path.relative(process.cwd(), OUT)} ` +
      `in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}
