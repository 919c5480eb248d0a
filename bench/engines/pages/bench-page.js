/* Shared code of the minimal search pages of the engines benchmark
 * (bench/engines/run.mjs): one search box, the top 10 hits as a list.
 *
 *   benchPage({ engine: 'pagefind', load: async () => {...}, search: async (q) => ({ total, hits: [{id, title}] }) })
 *
 * - [data-bench] root gets data-state="loading" | "ready" | "error".
 * - Every input event runs a search (no debounce), but at most one search is
 *   in flight: inputs that arrive meanwhile are coalesced into one search of
 *   the newest value when it completes (what a search-as-you-type UI over an
 *   asynchronous engine does; a synchronous engine never waits).
 * - After the hits of an input are in the DOM (rendered synchronously after
 *   the search resolves), `bench:results` {query, total, ms} is dispatched on
 *   the root (bubbling), like Chronicle's `chronicle:results`.
 * - A query typed while the engine loads is searched as soon as it is ready.
 */
(function () {
  'use strict';
  var LIMIT = 10;

  function dateOf(id) {
    var m = /^wcep-(\d{4})(\d{2})(\d{2})-/.exec(id || '');
    return m ? m[1] + '-' + m[2] + '-' + m[3] : '';
  }

  window.benchPage = function (engine) {
    var root = document.querySelector('[data-bench]');
    var input = root.querySelector('input');
    var status = root.querySelector('[data-status]');
    var list = root.querySelector('ol');
    var ready = false;

    function render(query, res, ms) {
      list.textContent = '';
      var frag = document.createDocumentFragment();
      res.hits.slice(0, LIMIT).forEach(function (h) {
        var li = document.createElement('li');
        var t = document.createElement('span');
        t.className = 'title';
        t.textContent = h.title;
        var d = document.createElement('time');
        d.textContent = dateOf(h.id);
        li.appendChild(d);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(t);
        frag.appendChild(li);
      });
      list.appendChild(frag);
      status.textContent = res.total.toLocaleString('en-US') + ' results';
      root.dispatchEvent(
        new CustomEvent('bench:results', { bubbles: true, detail: { query: query, total: res.total, ms: ms } }),
      );
    }

    // At most one search in flight: an input that arrives meanwhile waits
    // for it, and only the newest such input is searched next (the ones in
    // between are skipped). Every completed search is rendered.
    var busy = false;
    var dirty = false;

    function run() {
      if (!ready) return;
      if (busy) {
        dirty = true;
        return;
      }
      var query = input.value;
      var t0 = performance.now();
      if (!query.trim()) {
        render(query, { total: 0, hits: [] }, 0);
        return;
      }
      busy = true;
      dirty = false;
      Promise.resolve()
        .then(function () {
          return engine.search(query);
        })
        .then(
          function (res) {
            render(query, res, performance.now() - t0);
          },
          function (e) {
            console.error('bench page: search failed', e);
            render(query, { total: 0, hits: [] }, performance.now() - t0);
          },
        )
        .then(function () {
          busy = false;
          if (dirty && input.value !== query) run();
          dirty = false;
        });
    }

    input.addEventListener('input', run);
    root.setAttribute('data-state', 'loading');
    Promise.resolve()
      .then(engine.load)
      .then(
        function () {
          ready = true;
          root.setAttribute('data-state', 'ready');
          if (input.value) run();
        },
        function (e) {
          root.setAttribute('data-state', 'error');
          status.textContent = 'Search is unavailable: ' + (e && e.message ? e.message : e);
          console.error('bench page: load failed', e);
        },
      );
  };
})();
