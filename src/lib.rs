//! Chronicle: search over an archive of news events that runs entirely in
//! the browser, offline, from one `<script>` tag.
//!
//! The core is plain Rust over bytes, the same natively and in
//! WebAssembly:
//!
//! * [`text`] — the one tokenizer, shared by the builder and the query;
//! * [`format`](mod@format) — the only code that reads or writes index bytes;
//! * [`query`] — parsing and executing queries over an [`Index`];
//! * [`render`] — search hits → a view model (highlighted spans, links);
//! * [`templates`] — view models and UI strings → the widget's markup.
//!
//! With the `build` feature, [`input`] reads an owner's data (JSON Lines,
//! a JSON array, CSV, Markdown event pages) and [`builder`] turns events
//! into an index. The command-line tool (`src/bin/chronicle.rs`) and the
//! wasm bindings (`src/wasm/`) are thin shells over these.
//!
//! ```
//! # #[cfg(feature = "build")] {
//! use chronicle::{builder, input, query, Index};
//!
//! // One event per line (JSON Lines).
//! let line = concat!(
//!     r#"{"id":"e1","date":"2014-05-06","#,
//!     r#""title":"Sergey Lavrov rules out fresh talks in Geneva","#,
//!     r#""contexts":["Sergey Lavrov","Geneva"]}"#,
//! );
//! let read = input::read_bytes(line.as_bytes(), "example.jsonl",
//!     &input::InputOptions::default()).unwrap();
//! let bytes = builder::build(read.events).unwrap();
//!
//! let searcher = query::Searcher::new(Index::new(bytes).unwrap());
//! let result = searcher
//!     .search("lavrov gen", &query::SearchOptions::default())
//!     .unwrap();
//! assert_eq!(result.total, 1);
//! # }
//! ```
#![deny(missing_docs)]

mod checksum;
pub mod error;
pub mod event;
pub mod format;
mod lowercase;
pub mod query;
pub mod render;
pub mod score;
mod sorting;
pub mod templates;
pub mod text;

#[cfg(feature = "build")]
pub mod builder;
#[cfg(feature = "build")]
mod hash;
#[cfg(feature = "build")]
pub mod input;
#[cfg(feature = "build")]
mod par;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use event::{Event, Source};
pub use format::Index;
