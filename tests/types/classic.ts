// A page's script beside the classic chronicle.js: `window.Chronicle`
// and <chronicle-search>, typed by widget/dist/chronicle.d.ts.
/// <reference path="../../widget/dist/chronicle.d.ts" />

async function page(): Promise<string> {
  const index = await window.Chronicle.load('events.chron');
  const r = index.search('earthquake', { limit: 3 });
  const first = document.querySelector('chronicle-search');
  const widget = first?.widget ?? (await window.Chronicle.mount(document.body, { index }));
  widget.setQuery(r.hits.map((h) => h.title).join(' '));
  // @ts-expect-error widgets is read-only
  window.Chronicle.widgets.push(widget);
  // @ts-expect-error the element's widget is not set from outside
  if (first) first.widget = null;
  return widget.query();
}
page();
