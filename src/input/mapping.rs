//! Which of an owner's fields fill which of an event's: `--field
//! title=headline`, and a small config file in a subset of TOML.

use std::path::Path;

use crate::error::{Error, Result};

/// A field of an [`Event`](crate::Event) that input data fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `id`: generated from date, title and url when a record has none.
    Id,
    /// `date` (required).
    Date,
    /// `title` (required).
    Title,
    /// `category`.
    Category,
    /// `sources`: names, URLs or `{name, url}` objects.
    Sources,
    /// `contexts`: the people, places and topics an event is about.
    Contexts,
    /// `url`: the event's own page.
    Url,
    /// `body`: longer text.
    Body,
}

impl Field {
    /// Every field, in the order of the event record.
    pub const ALL: [Field; 8] = [
        Field::Id,
        Field::Date,
        Field::Title,
        Field::Category,
        Field::Sources,
        Field::Contexts,
        Field::Url,
        Field::Body,
    ];

    /// The field's name in Chronicle's own records.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Date => "date",
            Field::Title => "title",
            Field::Category => "category",
            Field::Sources => "sources",
            Field::Contexts => "contexts",
            Field::Url => "url",
            Field::Body => "body",
        }
    }

    /// The field of this name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The names of all fields, for messages: `id, date, …, body`.
fn field_names() -> String {
    Field::ALL.map(Field::name).join(", ")
}

/// Which fields of the input fill which fields of an event.
///
/// A field that is not mapped is read from the input field of its own
/// name (`title` from `title`). A mapped field is read from its source
/// fields only: a list field (`sources`, `contexts`) gathers the items
/// of all of them, any other field takes the first that a record has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    from: [Vec<String>; 8],
}

impl Mapping {
    /// A mapping that maps nothing: Chronicle's own names apply.
    pub fn new() -> Mapping {
        Mapping::default()
    }

    /// Builds a mapping from `FIELD=SOURCE` strings (the command line's
    /// repeated `--field`); a field given twice reads both sources.
    pub fn from_specs<S: AsRef<str>>(
        specs: impl IntoIterator<Item = S>,
    ) -> Result<Mapping> {
        let mut m = Mapping::new();
        for spec in specs {
            m.parse_field(spec.as_ref())?;
        }
        Ok(m)
    }

    /// True when no field is mapped.
    pub fn is_empty(&self) -> bool {
        self.from.iter().all(Vec::is_empty)
    }

    /// Adds `source` to the input fields that fill `field`.
    pub fn add(&mut self, field: Field, source: impl Into<String>) {
        let source = source.into();
        let list = &mut self.from[field.index()];
        if !list.contains(&source) {
            list.push(source);
        }
    }

    /// The input fields mapped to `field`, in order (empty when it is
    /// not mapped).
    pub fn sources(&self, field: Field) -> &[String] {
        &self.from[field.index()]
    }

    /// Adds one `FIELD=SOURCE` mapping, e.g. `title=headline`.
    pub fn parse_field(&mut self, spec: &str) -> Result<()> {
        let err = |detail: String| Error::Mapping {
            origin: format!("--field {spec}"),
            detail,
        };
        let Some((field, source)) = spec.split_once('=') else {
            return Err(err(
                "expected FIELD=SOURCE, e.g. `--field title=headline`".into(),
            ));
        };
        let field = field_named(field.trim()).map_err(err)?;
        let source = source.trim();
        if source.is_empty() {
            return Err(err(format!(
                "no source field after `=`: name the input field that \
                 fills `{}`",
                field.name()
            )));
        }
        self.add(field, source);
        Ok(())
    }

    /// Maps the fields `later` maps as `later` does, replacing this
    /// mapping's sources for them (a command line over a config file).
    pub fn extend(&mut self, later: Mapping) {
        for (mine, theirs) in self.from.iter_mut().zip(later.from) {
            if !theirs.is_empty() {
                *mine = theirs;
            }
        }
    }
}

fn field_named(name: &str) -> std::result::Result<Field, String> {
    Field::from_name(name).ok_or_else(|| {
        format!("unknown field `{name}`; the fields are {}", field_names())
    })
}

/// Input settings from a config file: the field mapping and the page
/// suffix of Markdown event pages.
///
/// The file is a small subset of TOML:
///
/// ```toml
/// # How our export's columns fill Chronicle's fields.
/// page_suffix = ".html"   # top level: the pages' suffix on the site
///
/// [fields]                # optional: fields may also come first
/// title = "headline"
/// date = "day"
/// contexts = ["tags", "people"]
/// ```
///
/// Keys are bare; values are strings (`"…"` with escapes, or `'…'`) or
/// one-line arrays of strings; `#` starts a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The field mapping.
    pub mapping: Mapping,
    /// The suffix a Markdown page's `.md` becomes in its URL, when set.
    pub page_suffix: Option<String>,
}

impl Config {
    /// Reads and parses a config file.
    pub fn read(path: &Path) -> Result<Config> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::CannotOpen { file: name.clone(), detail: e.to_string() }
        })?;
        Config::parse(&text, &name)
    }

    /// Parses a config file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut config = Config::default();
        let mut in_fields = false;
        // Where each key was set, so a second setting is an error.
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |detail: String| Error::Mapping {
                origin: format!("{file}:{line}"),
                detail,
            };
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if let Some(table) = l.strip_prefix('[') {
                let name = table
                    .split_once(']')
                    .filter(|(_, rest)| is_blank_or_comment(rest))
                    .map(|(name, _)| name.trim())
                    .ok_or_else(|| {
                        err("expected a table header `[fields]`".into())
                    })?;
                if name != "fields" {
                    return Err(err(format!(
                        "unknown table `[{name}]`; the only table is \
                         `[fields]`"
                    )));
                }
                in_fields = true;
                continue;
            }
            let (key, value) = l.split_once('=').ok_or_else(|| {
                err("expected `name = value`, e.g. `title = \"headline\"`"
                    .into())
            })?;
            let key = key.trim();
            if key.is_empty()
                || !key.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
                })
            {
                return Err(err(format!(
                    "expected a bare name before `=`, found `{key}`"
                )));
            }
            let value = parse_value(value).map_err(err)?;
            if let Some((_, first)) = seen.iter().find(|(k, _)| k == key) {
                return Err(err(format!(
                    "`{key}` is set twice (first on line {first})"
                )));
            }
            seen.push((key.to_owned(), line));
            if key == "page_suffix" {
                if in_fields {
                    return Err(err(
                        "`page_suffix` is a setting, not a field: put it \
                         above `[fields]`"
                            .into(),
                    ));
                }
                match value {
                    Value::One(s) => config.page_suffix = Some(s),
                    Value::Many(_) => {
                        return Err(err(
                            "`page_suffix` takes one string, e.g. \".html\""
                                .into(),
                        ))
                    }
                }
                continue;
            }
            let field = field_named(key).map_err(|d| {
                if in_fields {
                    err(d)
                } else {
                    err(format!("{d} (or the setting page_suffix)"))
                }
            })?;
            let sources = match value {
                Value::One(s) => vec![s],
                Value::Many(v) => v,
            };
            if sources.is_empty() || sources.iter().any(|s| s.is_empty()) {
                return Err(err(format!(
                    "`{key}` needs the name of an input field"
                )));
            }
            for s in sources {
                config.mapping.add(field, s);
            }
        }
        Ok(config)
    }
}

/// A config value: a string or an array of strings.
enum Value {
    One(String),
    Many(Vec<String>),
}

fn is_blank_or_comment(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s.starts_with('#')
}

/// Parses the value after `=`, with nothing but a comment after it.
fn parse_value(s: &str) -> std::result::Result<Value, String> {
    let s = s.trim_start();
    let (value, rest) = if let Some(mut rest) = s.strip_prefix('[') {
        let mut items = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(']') {
                break (Value::Many(items), after);
            }
            if rest.is_empty() {
                return Err("an array must close with `]` on the same \
                            line"
                    .into());
            }
            let (item, after) = parse_string(rest)?;
            items.push(item);
            rest = after.trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                rest = after;
            } else if !rest.starts_with(']') && !rest.is_empty() {
                return Err("expected `,` or `]` after an array item".into());
            }
        }
    } else {
        let (one, rest) = parse_string(s)?;
        (Value::One(one), rest)
    };
    if !is_blank_or_comment(rest) {
        return Err(format!("unexpected `{}` after the value", rest.trim()));
    }
    Ok(value)
}

/// Parses a string at the start of `s` (`"…"` with TOML's escapes, or
/// `'…'` literally); returns it and what follows.
fn parse_string(s: &str) -> std::result::Result<(String, &str), String> {
    let unquoted = || {
        format!(
            "expected a quoted string, found `{}`",
            s.split_whitespace().next().unwrap_or("")
        )
    };
    if let Some(body) = s.strip_prefix('\'') {
        let end = body.find('\'').ok_or("a string is never closed")?;
        return Ok((body[..end].to_owned(), &body[end + 1..]));
    }
    let body = s.strip_prefix('"').ok_or_else(unquoted)?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => {
                let (_, e) = chars.next().ok_or("a string is never closed")?;
                let hex = |n: usize, chars: &mut std::str::CharIndices| {
                    let digits: String =
                        chars.by_ref().take(n).map(|(_, c)| c).collect();
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .filter(|_| digits.len() == n)
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("bad escape `\\{e}{digits}`"))
                };
                out.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    '"' => '"',
                    '\\' => '\\',
                    'u' => hex(4, &mut chars)?,
                    'U' => hex(8, &mut chars)?,
                    other => return Err(format!("bad escape `\\{other}`")),
                });
            }
            c => out.push(c),
        }
    }
    Err("a string is never closed".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_specs() {
        let m = Mapping::from_specs([
            "title=headline",
            "contexts = tags",
            "contexts=people",
            "date=Publication date",
        ])
        .unwrap();
        assert_eq!(m.sources(Field::Title), ["headline"]);
        assert_eq!(m.sources(Field::Contexts), ["tags", "people"]);
        assert_eq!(m.sources(Field::Date), ["Publication date"]);
        assert!(m.sources(Field::Url).is_empty());

        let cases = [
            (
                "headline",
                "--field headline: expected FIELD=SOURCE, e.g. `--field \
                 title=headline`",
            ),
            (
                "titel=headline",
                "--field titel=headline: unknown field `titel`; the fields \
                 are id, date, title, category, sources, contexts, url, body",
            ),
            (
                "title=",
                "--field title=: no source field after `=`: name the input \
                 field that fills `title`",
            ),
        ];
        for (spec, want) in cases {
            let e = Mapping::from_specs([spec]).unwrap_err();
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn a_command_line_mapping_overrides_the_config() {
        let mut m = Mapping::from_specs(["title=a", "date=d"]).unwrap();
        m.extend(Mapping::from_specs(["title=b"]).unwrap());
        assert_eq!(m.sources(Field::Title), ["b"]);
        assert_eq!(m.sources(Field::Date), ["d"]);
    }

    #[test]
    fn config_files() {
        let c = Config::parse(
            "\u{feff}# our export\n\
             page_suffix = \"/\"  # directory style\n\
             \n\
             [fields]\n\
             title = \"headline\"\n\
             date = 'day'\n\
             contexts = [\"tags\", \"people\",]\n\
             body = \"summary \\\"long\\\" \\u00e9\"\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.page_suffix.as_deref(), Some("/"));
        assert_eq!(c.mapping.sources(Field::Title), ["headline"]);
        assert_eq!(c.mapping.sources(Field::Date), ["day"]);
        assert_eq!(c.mapping.sources(Field::Contexts), ["tags", "people"]);
        assert_eq!(c.mapping.sources(Field::Body), ["summary \"long\" é"]);

        // Fields may come without a table header.
        let c = Config::parse("title = \"h\"\n", "c.toml").unwrap();
        assert_eq!(c.mapping.sources(Field::Title), ["h"]);
        assert_eq!(c.page_suffix, None);
    }

    #[test]
    fn config_errors_name_file_and_line() {
        let fields = "id, date, title, category, sources, contexts, url, \
                      body";
        let cases = [
            (
                "title headline",
                "1: expected `name = value`, e.g. `title = \"headline\"`",
            ),
            (
                "[field]",
                "1: unknown table `[field]`; the only table is `[fields]`",
            ),
            ("[fields", "1: expected a table header `[fields]`"),
            (
                "\n\ntitel = \"x\"",
                &*format!(
                    "3: unknown field `titel`; the fields are {fields} (or \
                     the setting page_suffix)"
                ),
            ),
            (
                "[fields]\npage_suffix = \".htm\"",
                "2: `page_suffix` is a setting, not a field: put it above \
                 `[fields]`",
            ),
            (
                "title = headline",
                "1: expected a quoted string, found `headline`",
            ),
            ("title = \"headline", "1: a string is never closed"),
            (
                "contexts = [\"a\", \"b\"",
                "1: an array must close with `]` on the same line",
            ),
            (
                "contexts = [\"a\" \"b\"]",
                "1: expected `,` or `]` after an array item",
            ),
            (
                "contexts = []",
                "1: `contexts` needs the name of an input field",
            ),
            ("title = \"a\" x", "1: unexpected `x` after the value"),
            (
                "title = \"a\"\n# c\ntitle = \"b\"",
                "3: `title` is set twice (first on line 1)",
            ),
            (
                "page_suffix = [\".html\"]",
                "1: `page_suffix` takes one string, e.g. \".html\"",
            ),
            ("title = \"\\q\"", "1: bad escape `\\q`"),
            (
                "title.x = \"a\"",
                "1: expected a bare name before `=`, found `title.x`",
            ),
        ];
        for (text, want) in cases {
            let e = Config::parse(text, "c.toml").unwrap_err();
            assert_eq!(e.to_string(), format!("c.toml:{want}"), "{text}");
        }
    }
}
