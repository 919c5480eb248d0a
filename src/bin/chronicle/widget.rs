//! The widget's files, carried in the binary: what `build.sh` builds
//! into `widget/dist/` (checked in CI to be exactly a fresh build),
//! compiled in so that an installed `chronicle` writes a
//! whole site with no wasm toolchain, Node or browser on the machine.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use crate::files::write_atomically;

/// The loader and wasm-bindgen glue, minified.
pub const JS: &[u8] = include_bytes!("../../../widget/dist/chronicle.js");
/// The widget's WebAssembly, optimised for size.
pub const WASM: &[u8] =
    include_bytes!("../../../widget/dist/chronicle_bg.wasm");
/// The widget's stylesheet, minified (`widget/chronicle.css` is its
/// source).
pub const CSS: &[u8] = include_bytes!("../../../widget/dist/chronicle.css");
/// The offline file's own reader, put before `chronicle.js` in its one
/// script (`chronicle bundle`).
pub const OFFLINE_JS: &str = include_str!("../../../widget/offline.js");

/// The UI strings by language: the loader carries the English, and
/// fetches another language's from `chronicle.LANG.json` (which
/// [`write`] writes) when a widget speaks it.
pub const STRINGS: &str = include_str!("../../../widget/strings.json");

/// Each language but English, with its strings as JSON.
pub fn translations() -> Result<Vec<(String, String)>> {
    let all: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(STRINGS).context("widget/strings.json")?;
    Ok(all
        .into_iter()
        .filter(|(lang, _)| lang != "en")
        .map(|(lang, table)| (lang, table.to_string()))
        .collect())
}

/// The same loader and glue as an ES module (`import { load, mount }
/// from './chronicle.mjs'`), which finds the wasm beside itself.
pub const MJS: &[u8] = include_bytes!("../../../widget/dist/chronicle.mjs");
/// The API's TypeScript declarations (`widget/chronicle.d.ts`), also as
/// `chronicle.d.mts`, where TypeScript looks for the module's.
pub const DTS: &[u8] = include_bytes!("../../../widget/dist/chronicle.d.ts");

/// The files a page loads, by the names the loader looks for, and the
/// module's types.
pub const FILES: [(&str, &[u8]); 6] = [
    ("chronicle.js", JS),
    ("chronicle_bg.wasm", WASM),
    ("chronicle.css", CSS),
    ("chronicle.mjs", MJS),
    ("chronicle.d.ts", DTS),
    ("chronicle.d.mts", DTS),
];

/// Writes the widget's files into `dir` (created if missing), each
/// atomically; a file that already holds the same bytes is left alone.
pub fn write(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let strings: Vec<(String, Vec<u8>)> = translations()?
        .into_iter()
        .map(|(lang, json)| {
            (format!("chronicle.{lang}.json"), json.into_bytes())
        })
        .collect();
    let carried = FILES.iter().map(|&(name, bytes)| (name, bytes));
    let langs = strings.iter().map(|(name, json)| (name.as_str(), &json[..]));
    for (name, bytes) in carried.chain(langs) {
        let path = dir.join(name);
        if fs::read(&path).is_ok_and(|old| old == bytes) {
            continue;
        }
        write_atomically(&path, bytes)?;
    }
    Ok(())
}

/// The widget's files: the ones carried in the binary, or those in
/// `assets` (a directory laid out as `chronicle widget` writes it).
pub struct Assets {
    /// `chronicle.js`.
    pub js: Vec<u8>,
    /// `chronicle_bg.wasm`.
    pub wasm: Vec<u8>,
    /// `chronicle.css`.
    pub css: Vec<u8>,
}

impl Assets {
    /// The widget files from `dir`, or the carried ones without it.
    pub fn from(dir: Option<&Path>) -> Result<Assets> {
        let Some(dir) = dir else {
            return Ok(Assets {
                js: JS.to_vec(),
                wasm: WASM.to_vec(),
                css: CSS.to_vec(),
            });
        };
        let read = |name: &str| {
            let p = dir.join(name);
            fs::read(&p)
                .with_context(|| format!("cannot read {}", p.display()))
        };
        Ok(Assets {
            js: read("chronicle.js")?,
            wasm: read("chronicle_bg.wasm")?,
            css: read("chronicle.css")?,
        })
    }
}
