// Types of the Chronicle widget's JavaScript API: the ES module
// (`import { load, mount } from './chronicle.mjs'`, whose declarations
// are these, copied as chronicle.d.mts) and the classic script
// (`window.Chronicle`, and the <chronicle-search> element). The objects
// are the ones the wasm builds (src/wasm/js.rs, src/wasm/mod.rs);
// tests/e2e/types.test.mjs holds the two together.

/** A loaded index: a single file, or a split index's core. */
export interface Index {
  /** Searches (a split index: only what its chunks in memory hold;
   * otherwise throws, asking for them: use `searchAsync`). */
  search(query: string, options?: SearchOptions | null): SearchResult;
  /** Like `search`, first fetching the chunks of a split index that the
   * query needs. */
  searchAsync(query: string, options?: SearchOptions | null): Promise<SearchResult>;
  /** Events related to document `doc` (a hit's `doc`), newest first,
   * at most `limit` (100 at most). */
  related(doc: number, limit: number): RelatedEvent[];
  /** Counts. */
  info(): IndexInfo;
  /** Whether this is the core of a split index. */
  isSplit(): boolean;
  /** Frees the index's memory; the handle is unusable afterwards. */
  free(): void;
}

/** Options of `search`, all optional. */
export interface SearchOptions {
  /** Hits to return (1,000 at most). */
  limit?: number;
  /** Hits to skip. */
  offset?: number;
  sort?: 'relevance' | 'newest' | 'oldest';
  /** Whether to count facets and years (default true). */
  facets?: boolean;
  /** Related events per hit (0 unless set; 50 at most). */
  related?: number;
}

export interface SearchResult {
  query: string;
  /** Every match, not only the hits returned. */
  total: number;
  /** Whether no event had every word: these are the best partial matches. */
  partial: boolean;
  hits: Hit[];
  facets: Facets;
  /** Matches per year, by year. */
  years: YearCount[];
  /** A spelling that has results, when nothing matched. */
  suggestion: string | null;
}

export interface Hit {
  id: string;
  /** The document number in this index (for `related`). */
  doc: number;
  /** `YYYY-MM-DD`. */
  date: string;
  title: string;
  /** The title in runs, `mark` on the ones the query matched. */
  title_spans: Span[];
  category: string | null;
  sources: Source[];
  contexts: string[];
  /** The event's page as stored. */
  url: string | null;
  /** The start of the body, highlighted, when the event has one. */
  excerpt: Span[] | null;
  score: number;
  /** Filled when `related` is asked for. */
  related: RelatedEvent[];
}

export interface Span {
  text: string;
  mark: boolean;
}

export interface Source {
  name: string;
  /** As stored (may be no web address). */
  url: string | null;
  /** `url` when it is http(s), safe to link to. */
  href: string | null;
}

export interface RelatedEvent {
  id: string;
  date: string;
  title: string;
  /** The context it shares with the hit. */
  context: string;
  url: string | null;
}

export interface Facets {
  categories: FacetCount[];
  sources: FacetCount[];
  contexts: FacetCount[];
}

export interface FacetCount {
  /** The value's id in its dictionary. */
  id: number;
  name: string;
  count: number;
}

export interface YearCount {
  year: number;
  count: number;
}

export interface IndexInfo {
  /** The index format version. */
  version: number;
  events: number;
  terms: number;
  categories: number;
  sources: number;
  contexts: number;
  /** Bytes of the index (of a split index, its core's). */
  bytes: number;
}

/** Options of `mount`, all optional. On <chronicle-search> they are
 * attributes (`base-url`), on a [data-chronicle] element or the script
 * tag data attributes (`data-base-url`). */
export interface MountOptions {
  /** The index's URL, relative to the page, or a loaded index (which
   * unmounting then leaves loaded). Default `events.chron`; in the
   * offline file, the index it carries. */
  index?: string | Index;
  /** The prefix an event's relative `url` is joined to, with one slash,
   * to link its title. */
  baseUrl?: string;
  /** Hits per page (10 unless set). */
  limit?: number;
  placeholder?: string;
  /** Whether the query is kept in the URL's hash (default true). */
  hash?: boolean;
  /** `page` (the default: the search page), `compact` (the box and its
   * results) or `dropdown` (a header box whose results drop over the
   * page). It sets the defaults of the panels and of `browse`. */
  layout?: 'page' | 'compact' | 'dropdown';
  /** The facets (category, sources, contexts). */
  facets?: boolean;
  /** The timeline of the matches' years (or one year's months). */
  timeline?: boolean;
  /** The sort menu. */
  sort?: boolean;
  /** Each hit's "Related events". */
  related?: boolean;
  /** Before a query, the newest events and the archive's timeline. */
  browse?: boolean;
  /** The widget's language (BCP 47), else the nearest `lang` attribute:
   * its strings (en, de, fr, es, ar built in) and its Intl formats. */
  lang?: string;
  /** UI strings in place of the language's, by key (see
   * `widget/strings.json`: `searchLabel`, `resultsOther`, …). */
  strings?: Record<string, string>;
}

/** A mounted widget. */
export interface Widget {
  /** Takes the widget out of the page: listeners, timers and nodes
   * gone, its memory freed (and its index's, when the mount loaded it). */
  unmount(): void;
  /** Sets the query text and searches. */
  setQuery(query: string): void;
  /** The query text. */
  query(): string;
}

/** The download's progress: bytes so far, of `total` (0: unknown). */
export type Progress = (bytes: number, total: number) => void;

/** Loads an index from a URL (relative to the page), or from its bytes. */
export function load(source?: string | URL | Uint8Array | ArrayBuffer, progress?: Progress): Promise<Index>;
/** Mounts a widget into `element`. */
export function mount(element: Element, options?: MountOptions): Promise<Widget>;
/** Bytes of the wasm's linear memory (0 before the wasm is loaded). */
export function memoryBytes(): number;
/** The widgets mounted now. */
export const widgets: readonly Widget[];

export interface Chronicle {
  load: typeof load;
  mount: typeof mount;
  memoryBytes: typeof memoryBytes;
  widgets: typeof widgets;
}
declare const Chronicle: Chronicle;
export default Chronicle;

/** `<chronicle-search>`: a widget while it is in the document. */
export interface ChronicleSearchElement extends HTMLElement {
  /** The mounted widget, or null (loading, failed, or not in the page). */
  readonly widget: Widget | null;
}

/** The `detail` of `chronicle:results`, fired on the widget's element
 * (bubbling) after each render. */
export interface ResultsDetail {
  query: string;
  total: number;
  /** Milliseconds the search and render took. */
  ms: number;
}

declare global {
  interface Window {
    /** The classic script's API (chronicle.js). */
    Chronicle: Chronicle;
  }
  interface HTMLElementTagNameMap {
    'chronicle-search': ChronicleSearchElement;
  }
  interface HTMLElementEventMap {
    'chronicle:results': CustomEvent<ResultsDetail>;
  }
}
