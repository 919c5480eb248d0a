//! The widget's English UI strings, from `widget/strings.json` (the one
//! source of every language's), compiled into the library as the strings
//! a widget falls back to for any it is not given.

use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn main() {
    let src = "widget/strings.json";
    println!("cargo:rerun-if-changed={src}");
    let text = fs::read_to_string(src).expect("widget/strings.json");
    let all: Languages =
        serde_json::from_str(&text).expect("widget/strings.json is JSON");
    let en = &all.0.iter().find(|(lang, _)| lang == "en").expect("English").1;
    // In the file's order, which is the messages' (`templates::Msg`; a
    // test holds them to it): the library looks English up by message.
    let mut out = String::from(
        "/// English, in the order of `Msg` (from `widget/strings.json`).\n\
         pub(crate) const ENGLISH: &[&str] = &[\n",
    );
    for (_, value) in &en.0 {
        writeln!(out, "    {value:?},").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("english.rs");
    fs::write(dest, out).unwrap();
}

/// `{ lang: { key: text } }`, in the file's order (serde_json's own map
/// sorts its keys).
struct Languages(Vec<(String, Ordered)>);
struct Ordered(Vec<(String, String)>);

struct Visit<T>(std::marker::PhantomData<T>);

impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
    type Value = Vec<(String, T)>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(entry) = map.next_entry()? {
            out.push(entry);
        }
        Ok(out)
    }
}

impl<'de> serde::Deserialize<'de> for Languages {
    fn deserialize<D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Self, D::Error> {
        d.deserialize_map(Visit(std::marker::PhantomData)).map(Languages)
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Self, D::Error> {
        d.deserialize_map(Visit(std::marker::PhantomData)).map(Ordered)
    }
}
