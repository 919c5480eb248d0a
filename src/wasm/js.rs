//! The view model as plain JS objects, built field by field. (A generic
//! serializer, serde-wasm-bindgen, cost about 10 KB of wasm for the same
//! objects.) Keys and their order are those of the Rust structs.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::query::{FacetCount, Facets, YearCount};
use crate::render::{HitView, RelatedView, SourceView, Span};

/// A plain object under construction.
pub(crate) struct Obj(Object);

impl Obj {
    pub(crate) fn new() -> Obj {
        Obj(Object::new())
    }

    /// Sets `key` (setting a data property on a plain object cannot fail).
    pub(crate) fn set(self, key: &str, value: JsValue) -> Obj {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value);
        self
    }

    pub(crate) fn num(self, key: &str, n: f64) -> Obj {
        self.set(key, JsValue::from_f64(n))
    }

    pub(crate) fn str(self, key: &str, s: &str) -> Obj {
        self.set(key, JsValue::from_str(s))
    }

    /// A string, or `null`.
    pub(crate) fn opt_str(self, key: &str, s: Option<&str>) -> Obj {
        self.set(key, s.map_or(JsValue::NULL, JsValue::from_str))
    }

    pub(crate) fn done(self) -> JsValue {
        self.0.into()
    }
}

/// An array of `f(item)`.
pub(crate) fn array<T>(items: &[T], f: impl Fn(&T) -> JsValue) -> JsValue {
    let a = Array::new();
    for i in items {
        a.push(&f(i));
    }
    a.into()
}

fn spans(s: &[Span]) -> JsValue {
    array(s, |s| {
        Obj::new()
            .str("text", &s.text)
            .set("mark", JsValue::from_bool(s.mark))
            .done()
    })
}

fn source(s: &SourceView) -> JsValue {
    Obj::new()
        .str("name", &s.name)
        .opt_str("url", s.url.as_deref())
        .opt_str("href", s.href.as_deref())
        .done()
}

pub(crate) fn related(r: &RelatedView) -> JsValue {
    Obj::new()
        .str("id", &r.id)
        .str("date", &r.date)
        .str("title", &r.title)
        .str("context", &r.context)
        .opt_str("url", r.url.as_deref())
        .done()
}

pub(crate) fn hit(h: &HitView) -> JsValue {
    Obj::new()
        .str("id", &h.id)
        .num("doc", h.doc.into())
        .str("date", &h.date)
        .str("title", &h.title)
        .set("title_spans", spans(&h.title_spans))
        .opt_str("category", h.category.as_deref())
        .set("sources", array(&h.sources, source))
        .set("contexts", array(&h.contexts, |c| JsValue::from_str(c)))
        .opt_str("url", h.url.as_deref())
        .set("excerpt", h.excerpt.as_deref().map_or(JsValue::NULL, spans))
        .num("score", h.score.into())
        .set("related", array(&h.related, related))
        .done()
}

fn counts(v: &[FacetCount]) -> JsValue {
    array(v, |c| {
        Obj::new()
            .num("id", c.id.into())
            .str("name", &c.name)
            .num("count", c.count.into())
            .done()
    })
}

pub(crate) fn facets(f: &Facets) -> JsValue {
    Obj::new()
        .set("categories", counts(&f.categories))
        .set("sources", counts(&f.sources))
        .set("contexts", counts(&f.contexts))
        .done()
}

pub(crate) fn years(y: &[YearCount]) -> JsValue {
    array(y, |y| {
        Obj::new()
            .num("year", y.year.into())
            .num("count", y.count.into())
            .done()
    })
}
