// A consumer of the ES module's declarations (widget/dist/chronicle.d.mts)
// that uses every declared function and field, and lines that must not
// type-check (each `@ts-expect-error` fails the check if its line is
// accepted). tests/e2e/types.test.mjs runs `tsc --noEmit --strict` on it.

import Chronicle, { load, mount, memoryBytes, widgets } from '../../widget/dist/chronicle.mjs';
// @ts-expect-error only the API is exported
import { autoMount } from '../../widget/dist/chronicle.mjs';
import type {
  FacetCount, Hit, Index, IndexInfo, MountOptions, Progress, RelatedEvent, ResultsDetail,
  SearchOptions, SearchResult, Source, Span, Widget, YearCount,
} from '../../widget/dist/chronicle.mjs';

const progress: Progress = (bytes: number, total: number) => console.log(bytes, total);
const index: Index = await load('events.chron', progress);
await load(new URL('events.chron', 'https://example.org/'));
await load(new Uint8Array(0));
await load(new ArrayBuffer(0));
await load();

const options: SearchOptions = { limit: 10, offset: 0, sort: 'newest', facets: true, related: 3 };
const r: SearchResult = index.search('lavrov geneva', options);
const again: SearchResult = await index.searchAsync('lavrov geneva', null);
const q: string = r.query;
const total: number = r.total + again.total;
const partial: boolean = r.partial;
const suggestion: string | null = r.suggestion;
const years: YearCount[] = r.years;
const year: number = years[0].year + years[0].count;
const facets: FacetCount[] = [...r.facets.categories, ...r.facets.sources, ...r.facets.contexts];
const facet: [number, string, number] = [facets[0].id, facets[0].name, facets[0].count];

const hit: Hit = r.hits[0];
const fields: [string, number, string, string, string | null, string[], string | null, number] =
  [hit.id, hit.doc, hit.date, hit.title, hit.category, hit.contexts, hit.url, hit.score];
const spans: Span[] = [...hit.title_spans, ...(hit.excerpt ?? [])];
const span: [string, boolean] = [spans[0].text, spans[0].mark];
const source: Source = hit.sources[0];
const links: [string, string | null, string | null] = [source.name, source.url, source.href];
const related: RelatedEvent[] = [...hit.related, ...index.related(hit.doc, 5)];
const rel: [string, string, string, string, string | null] =
  [related[0].id, related[0].date, related[0].title, related[0].context, related[0].url];

const info: IndexInfo = index.info();
const counts: number[] = [info.version, info.events, info.terms, info.categories, info.sources, info.contexts, info.bytes];
const split: boolean = index.isSplit();

const mountOptions: MountOptions = { index, baseUrl: '/', limit: 10, placeholder: 'Search', hash: false };
const widget: Widget = await mount(document.body, mountOptions);
await mount(document.createElement('div'), { index: 'events.chron' });
widget.setQuery('earthquake');
const now: string = widget.query();
widget.unmount();
index.free();
const bytes: number = memoryBytes();
const all: readonly Widget[] = widgets;
const same: boolean = Chronicle.load === load && Chronicle.mount === mount &&
  Chronicle.memoryBytes === memoryBytes && Chronicle.widgets === widgets;

// The element and its event, through the DOM's own maps.
const el = document.createElement('chronicle-search');
const shown: Widget | null = el.widget;
el.addEventListener('chronicle:results', (e) => {
  const detail: ResultsDetail = e.detail;
  console.log(detail.query, detail.total, detail.ms);
});

console.log(q, total, partial, suggestion, year, facet, fields, span, links, rel, counts, split, now, bytes, all, same, shown);

// What must be refused.
// @ts-expect-error the field is title_spans, as the wasm names it
hit.titleSpans;
// @ts-expect-error a hit's url may be null
hit.url.length;
// @ts-expect-error the excerpt may be null
hit.excerpt.length;
// @ts-expect-error no such sort
index.search('x', { sort: 'best' });
// @ts-expect-error limit is a number
index.search('x', { limit: '10' });
// @ts-expect-error setQuery takes the query
widget.setQuery();
// @ts-expect-error related needs its limit
index.related(hit.doc);
// @ts-expect-error no such option
mount(document.body, { baseURL: '/' });
// @ts-expect-error the widget is null until mounted
el.widget.query();
