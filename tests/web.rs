//! The widget in a real browser (wasm-bindgen-test, headless Chromium):
//! mount into a fresh <div>, search, and check the DOM.
#![cfg(target_arch = "wasm32")]

use chronicle::wasm::Chronicle;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent};

wasm_bindgen_test_configure!(run_in_browser);

const V3: &[u8] = include_bytes!("data/index_v3.bin");

/// `b` as the `Uint8Array` a page hands the constructor.
fn bytes(b: &[u8]) -> js_sys::Uint8Array {
    js_sys::Uint8Array::from(b)
}

fn options() -> JsValue {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"hash".into(), &false.into()).unwrap();
    o.into()
}

fn mount() -> (Element, chronicle::wasm::Widget) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    let c = Chronicle::new(bytes(V3)).unwrap();
    let w = c.mount(div.clone(), options()).unwrap();
    (div, w)
}

fn all(root: &Element, sel: &str) -> Vec<Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

fn one(root: &Element, sel: &str) -> Element {
    root.query_selector(sel).unwrap().unwrap_or_else(|| panic!("no {sel}"))
}

/// The hit an option sits in.
fn card(option: &Element) -> Element {
    option.closest(".chronicle-hit").unwrap().unwrap()
}

#[wasm_bindgen_test]
fn search_renders_results_with_roles_and_marks() {
    let (root, w) = mount();
    assert_eq!(root.get_attribute("data-state").as_deref(), Some("ready"));
    let input = one(&root, "input[role=combobox]");
    let list = one(&root, "[role=listbox]");
    assert_eq!(input.get_attribute("aria-controls"), Some(list.id()));
    w.set_query("lavrov genev");
    let opts = all(&root, "[role=option]");
    assert_eq!(opts.len(), 1);
    // The listbox owns the options (they sit in the hits, beside the
    // links and buttons an option may not hold).
    assert_eq!(list.get_attribute("aria-owns"), Some(opts[0].id()));
    assert!(all(&opts[0], "a, button").is_empty());
    assert_eq!(
        opts[0].get_attribute("data-id").as_deref(),
        Some("wcep-20140506-001")
    );
    let hit = &card(&opts[0]);
    let marks: Vec<String> = all(hit, ".chronicle-title mark")
        .iter()
        .map(|m| m.text_content().unwrap())
        .collect();
    assert_eq!(marks, ["Lavrov", "Geneva"]);
    assert_eq!(
        one(hit, ".chronicle-date").text_content().unwrap(),
        "2014-05-06"
    );
    let a = one(hit, ".chronicle-sources a");
    assert_eq!(a.text_content().unwrap(), "BBC");
    assert_eq!(a.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
    let chips: Vec<String> = all(hit, ".chronicle-chip")
        .iter()
        .map(|c| c.text_content().unwrap())
        .collect();
    assert!(chips.contains(&"Sergey Lavrov".to_string()), "{chips:?}");
    let status = one(&root, ".chronicle-status").text_content().unwrap();
    assert!(status.starts_with("1 result · "), "{status}");
}

#[wasm_bindgen_test]
fn hostile_event_text_is_rendered_inert() {
    let (root, w) = mount();
    w.set_query("hostile summit");
    let hit = card(&one(&root, "[role=option][data-id=test-hostile-001]"));
    for tag in ["script", "img", "b", "i"] {
        assert!(all(&root, tag).is_empty(), "a <{tag}> element was created");
    }
    let title = one(&hit, ".chronicle-title").text_content().unwrap();
    assert!(title.contains("<script>alert(1)</script>"), "{title}");
    assert!(title.contains("<img src=x onerror=alert(2)>"), "{title}");
    assert!(title.contains("summit & \"quotes\" in Zürich"), "{title}");
    let chip = one(&hit, ".chronicle-chip");
    assert_eq!(chip.text_content().unwrap(), "<img src=y onerror=alert(4)>");
    assert_eq!(
        chip.get_attribute("data-filter").as_deref(),
        Some("about:\"<img src=y onerror=alert(4)>\"")
    );
    assert_eq!(
        chip.get_attribute("title").as_deref(),
        Some("Events about <img src=y onerror=alert(4)>")
    );
    let links: Vec<String> = all(&hit, "a")
        .iter()
        .map(|a| a.get_attribute("href").unwrap_or_default())
        .collect();
    assert_eq!(links, ["https://example.org/a?b=<c>"]);
    let names: Vec<String> = all(&hit, ".chronicle-source")
        .iter()
        .map(|s| format!("{}:{}", s.tag_name(), s.text_content().unwrap()))
        .collect();
    assert_eq!(
        names,
        ["SPAN:<i>Evil</i>", "SPAN:Plain outlet", "A:Good outlet"]
    );
    assert_eq!(
        one(&hit, ".chronicle-category").text_content().unwrap(),
        "<b>Politics</b>"
    );
}

#[wasm_bindgen_test]
fn keyboard_moves_the_active_option() {
    let (root, w) = mount();
    w.set_query("zurich");
    let input: HtmlInputElement = one(&root, "input").unchecked_into();
    let opts = all(&root, "[role=option]");
    assert!(opts.len() >= 2, "{}", opts.len());
    let press = |key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let e =
            KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
                .unwrap();
        input.dispatch_event(&e).unwrap();
    };
    press("ArrowDown");
    assert_eq!(
        opts[0].get_attribute("aria-selected").as_deref(),
        Some("true")
    );
    assert_eq!(
        input.get_attribute("aria-activedescendant"),
        Some(opts[0].id())
    );
    press("ArrowDown");
    assert_eq!(
        opts[0].get_attribute("aria-selected").as_deref(),
        Some("false")
    );
    assert_eq!(
        input.get_attribute("aria-activedescendant"),
        Some(opts[1].id())
    );
    press("ArrowUp");
    assert_eq!(
        input.get_attribute("aria-activedescendant"),
        Some(opts[0].id())
    );
    // Searching again shows the same hits in the same nodes, none active.
    w.set_query("zurich");
    let again = all(&root, "[role=option]");
    assert_eq!(again.len(), opts.len());
    for (a, b) in again.iter().zip(&opts) {
        assert!(a.is_same_node(Some(b)));
        assert_eq!(a.get_attribute("aria-selected").as_deref(), Some("false"));
    }
    assert_eq!(input.get_attribute("aria-activedescendant"), None);
}

#[wasm_bindgen_test]
fn hits_are_replaced_from_the_first_that_differs() {
    let (root, w) = mount();
    w.set_query("zurich");
    let zurich: Vec<String> =
        all(&root, "[role=option]").iter().map(|o| o.outer_html()).collect();
    assert!(zurich.len() >= 2, "{}", zurich.len());
    w.set_query("lavrov genev");
    let opts = all(&root, "[role=option]");
    assert_eq!(opts.len(), 1);
    assert_eq!(
        opts[0].get_attribute("data-id").as_deref(),
        Some("wcep-20140506-001")
    );
    w.set_query("zurich");
    let back: Vec<String> =
        all(&root, "[role=option]").iter().map(|o| o.outer_html()).collect();
    assert_eq!(back, zurich);
}

#[wasm_bindgen_test]
fn a_context_chip_filters_by_context() {
    let (root, w) = mount();
    w.set_query("lavrov");
    let chip: HtmlElement = all(&root, ".chronicle-chip")
        .into_iter()
        .find(|c| c.text_content().as_deref() == Some("Geneva"))
        .unwrap()
        .unchecked_into();
    chip.click();
    assert_eq!(w.query(), "lavrov about:Geneva ");
    assert_eq!(all(&root, "[role=option]").len(), 1);
    // Related events open on demand, each labelled with the context, and
    // close again.
    let button: HtmlElement =
        one(&root, "button.chronicle-related").unchecked_into();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    button.click();
    assert_eq!(button.get_attribute("aria-expanded").as_deref(), Some("true"));
    let shared = all(&root, ".chronicle-shared");
    assert!(shared
        .iter()
        .all(|s| s.text_content().unwrap().starts_with("Context: ")));
    let list = one(&root, ".chronicle-related-list");
    assert!(!list.has_attribute("hidden"));
    button.click();
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(list.has_attribute("hidden"));
}

#[wasm_bindgen_test]
fn bad_bytes_are_an_error_not_a_trap() {
    assert!(Chronicle::new(bytes(&[])).is_err());
    assert!(Chronicle::new(bytes(b"not an index at all, just text")).is_err());
    let mut b = V3.to_vec();
    b.truncate(b.len() / 2);
    assert!(Chronicle::new(bytes(&b)).is_err());
    let mut b = V3.to_vec();
    b[100] ^= 0xff;
    assert!(Chronicle::new(bytes(&b)).is_err());
    // The module still works afterwards.
    assert!(Chronicle::new(bytes(V3)).is_ok());
}

#[wasm_bindgen_test]
fn the_search_api_returns_plain_objects() {
    let c = Chronicle::new(bytes(V3)).unwrap();
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"limit".into(), &2.into()).unwrap();
    let r = c.search("zurich", o.into()).unwrap();
    let get =
        |v: &JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).unwrap();
    assert!(get(&r, "total").as_f64().unwrap() >= 2.0);
    let hits: js_sys::Array = get(&r, "hits").unchecked_into();
    assert_eq!(hits.length(), 2);
    let first = hits.get(0);
    assert!(get(&first, "id").as_string().is_some());
    assert!(
        get(&first, "titleSpans").is_undefined(),
        "field names are as in Rust"
    );
    assert!(js_sys::Array::is_array(&get(&first, "title_spans")));
    let bad = js_sys::Object::new();
    js_sys::Reflect::set(&bad, &"sort".into(), &"sideways".into()).unwrap();
    assert!(c.search("zurich", bad.into()).is_err());
    let bad = js_sys::Object::new();
    js_sys::Reflect::set(&bad, &"limit".into(), &"ten".into()).unwrap();
    assert!(c.search("zurich", bad.into()).is_err());
    assert!(c.search("zurich", JsValue::from_str("limit=2")).is_err());
    assert!(c.search("zurich", JsValue::NULL).is_ok());
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve, ms,
            )
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

#[wasm_bindgen_test]
async fn facets_and_timeline_follow_when_typing_pauses() {
    let (root, w) = mount();
    w.set_query("zurich");
    let facets = one(&root, ".chronicle-facets");
    assert_eq!(facets.get_attribute("aria-busy").as_deref(), Some("true"));
    sleep(400).await;
    assert_eq!(facets.get_attribute("aria-busy"), None);
    let years = all(&root, ".chronicle-year");
    assert!(!years.is_empty(), "a timeline");
    let cats: Vec<String> = all(&root, ".chronicle-facet-value")
        .iter()
        .map(|b| b.get_attribute("data-filter").unwrap())
        .collect();
    assert!(cats.iter().any(|c| c.starts_with("category:")), "{cats:?}");
    assert!(cats.iter().any(|c| c == "about:Zürich"), "{cats:?}");
    // Clicking a facet value filters.
    let b: HtmlElement = all(&root, ".chronicle-facet-value")
        .into_iter()
        .find(|b| {
            b.get_attribute("data-filter").as_deref() == Some("about:Zürich")
        })
        .unwrap()
        .unchecked_into();
    b.click();
    assert_eq!(w.query(), "zurich about:Zürich ");
    // Emptying the query: the newest events, and once typing pauses the
    // whole archive's facets and timeline.
    w.set_query("");
    assert!(!all(&root, "[role=option]").is_empty());
    assert_eq!(facets.get_attribute("aria-busy").as_deref(), Some("true"));
    sleep(400).await;
    assert_eq!(facets.get_attribute("aria-busy"), None);
    assert!(!all(&root, ".chronicle-year").is_empty());
}

#[wasm_bindgen_test]
fn did_you_mean_is_a_button_that_searches_it() {
    let (root, w) = mount();
    // Two edits from "lavrov": beyond the search's budget at six letters.
    w.set_query("lvarvo ");
    assert!(all(&root, "[role=option]").is_empty());
    let b: HtmlElement =
        one(&root, ".chronicle-suggest button").unchecked_into();
    assert_eq!(b.text_content().unwrap(), "lavrov");
    b.click();
    assert_eq!(w.query(), "lavrov ");
    assert_eq!(all(&root, "[role=option]").len(), 1);
}

#[wasm_bindgen_test]
fn the_sort_control_orders_by_date() {
    let (root, w) = mount();
    let sort: web_sys::HtmlSelectElement =
        one(&root, "select.chronicle-sort").unchecked_into();
    w.set_query("zurich");
    let dates = |root: &Element| -> Vec<String> {
        all(root, ".chronicle-hit .chronicle-date")
            .iter()
            .map(|d| d.text_content().unwrap())
            .collect()
    };
    for (value, newest_first) in [("newest", true), ("oldest", false)] {
        sort.set_value(value);
        sort.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
        let got = dates(&root);
        let mut want = got.clone();
        want.sort();
        if newest_first {
            want.reverse();
        }
        assert!(got.len() >= 2);
        assert_eq!(got, want, "{value}");
    }
}

#[wasm_bindgen_test]
async fn one_letter_results_found_while_idle_are_those_of_a_search() {
    let (fresh, _w) = mount();
    let (root, w) = mount();
    sleep(600).await;
    for q in ["z", "g", "s"] {
        w.set_query(q);
        let fresh_w = chronicle::wasm::Chronicle::new(bytes(V3))
            .unwrap()
            .mount(fresh.clone(), options())
            .unwrap();
        fresh_w.set_query(q);
        let html = |r: &Element| {
            let id = one(r, "[role=listbox]").id();
            // Widget ids differ; the hits must not.
            one(r, ".chronicle-results")
                .inner_html()
                .replace(id.trim_end_matches("-list"), "")
        };
        let n = all(&root, "[role=option]").len();
        assert!(n > 0, "{q}");
        assert_eq!(html(&root), html(&fresh), "{q}");
        assert_eq!(
            one(&root, ".chronicle-status")
                .text_content()
                .unwrap()
                .split(" · ")
                .next(),
            one(&fresh, ".chronicle-status")
                .text_content()
                .unwrap()
                .split(" · ")
                .next()
        );
    }
}

/// Issue 15: `unmount` takes the widget out of the page: its element is
/// empty, typing into a kept reference to the old input does nothing,
/// and the element can mount a new widget.
#[wasm_bindgen_test]
fn unmount_empties_the_element_and_stops_listening() {
    let (root, mut w) = mount();
    w.set_query("lavrov");
    let input: HtmlInputElement =
        one(&root, "input[role=combobox]").dyn_into().unwrap();
    let list = one(&root, ".chronicle-results");
    assert!(!all(&list, "[role=option]").is_empty());
    w.unmount();
    assert_eq!(root.child_element_count(), 0);
    assert_eq!(root.get_attribute("data-state"), None);
    assert!(!root.class_list().contains("chronicle"));
    // The old nodes no longer answer: their listeners are gone.
    let before = list.inner_html();
    input.set_value("geneva");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    assert_eq!(list.inner_html(), before);
    drop(w); // what `free()` does
    let c = Chronicle::new(bytes(V3)).unwrap();
    let w2 = c.mount(root.clone(), options()).unwrap();
    w2.set_query("geneva");
    assert!(!all(&root, "[role=option]").is_empty());
}

#[wasm_bindgen_test]
fn a_core_added_as_chunk_0_is_searched_under_the_widget() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    let c = Chronicle::new(bytes(V3)).unwrap();
    let w = c.mount(div.clone(), options()).unwrap();
    let hits = |q: &str| {
        w.set_query(q);
        all(&div, "[role=option]").len()
    };
    // Bytes that are no index change nothing.
    assert!(c.add_chunk(0, b"not an index".to_vec()).is_err());
    assert_eq!(hits("lavrov genev"), 1);
    // A core opened in place of the open one (the same bytes here): the
    // widget and the handle search it.
    c.add_chunk(0, V3.to_vec()).unwrap();
    assert_eq!(hits("lavrov geneva"), 1);
    assert!(!c.is_split());
    assert!(c.search("lavrov", JsValue::UNDEFINED).is_ok());
    // The core replaced is freed: a hundred more leave memory as it was
    // (a leak would take a hundred copies).
    let before = chronicle::wasm::memory_bytes();
    for _ in 0..100 {
        c.add_chunk(0, V3.to_vec()).unwrap();
        assert_eq!(hits("lavrov geneva"), 1);
    }
    let grown = chronicle::wasm::memory_bytes() - before;
    assert!(grown <= 4.0 * V3.len() as f64, "{grown} bytes more");
}
