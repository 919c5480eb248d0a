//! Markdown event pages, in the layout an archive's site publishes:
//!
//! ```text
//! ### [2014-05-6](/news/2014/05/6/index.md)
//!
//! # Russian foreign minister Sergey Lavrov rules out any fresh talks …
//!
//! (optional paragraphs: the body)
//!
//! ### Source:
//!
//! 1. [BBC](http://www.bbc.com/news/world-europe-27289897)
//! 1. [Cover Image](https://ichef.bbci.co.uk/…/_74673848_74673847.jpg)
//!
//! ### Related:
//!
//! 1. [United Nations officials …](/news/2017/02/16/….md) _Context: Geneva_
//! ```
//!
//! The date line is the first heading that is a date (or a link whose
//! text is one; day and month may be unpadded), the headline the first
//! `# ` heading, the sources the links of the `### Source:` list (not
//! images), the contexts the distinct `_Context: X_` labels of the
//! `### Related:` list, and the body the plain paragraphs between the
//! headline and the first `###` section. The page's id is its path in
//! the folder without `.md`, its URL that path with `.md` replaced by
//! the page suffix.

use std::fs::File;
use std::path::{Component, Path};

use super::record::{normalise_date, source_text};
use super::{
    line_at, read_stream, walk, Format, InputOptions, Part, MAX_RECORD_BYTES,
    NOT_UTF8,
};
use crate::builder::Origin;
use crate::error::{Error, Result};
use crate::event::{Event, Source};

/// Reads a folder of event pages: every `.md` file under it, in sorted
/// path order, parsed on all cores.
pub(super) fn read_folder(
    dir: &Path,
    name: &str,
    opts: &InputOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part> {
    let mut files = Vec::new();
    walk(dir, Path::new(""), &mut files).map_err(|e| Error::CannotOpen {
        file: name.to_owned(),
        detail: e.to_string(),
    })?;
    if files.is_empty() {
        return Err(Error::Input {
            file: name.to_owned(),
            detail: "a folder is read as Markdown event pages, and this one \
                     holds no `.md` file"
                .into(),
        });
    }
    files.sort();
    let why =
        format!("a Markdown event page (a `.md` file in the folder {name})");
    let parts = crate::par::map(&files, |rel| {
        let path = dir.join(rel);
        let file = path.display().to_string();
        let f = File::open(&path).map_err(|e| Error::CannotOpen {
            file: file.clone(),
            detail: e.to_string(),
        })?;
        let (bytes, failed) = read_stream(f, progress, MAX_RECORD_BYTES);
        if let Some(e) = failed {
            let detail = format!("cannot read: {e}");
            return Err(Error::Input { file, detail });
        }
        let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
        let rel: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        read_page(body, &file, &rel.join("/"), &why, opts, true)
    });
    Ok(Part::join(parts)?.with_format(Format::Markdown))
}

/// Reads one event page: `file` names it in errors, `rel` is its path
/// on the site (`/`-separated, ending `.md`). In a folder (`in_folder`),
/// a page without a date line is another kind of page (an about page, a
/// day's index) and is left out; given alone, it is an error.
pub(super) fn read_page(
    body: &[u8],
    file: &str,
    rel: &str,
    why: &str,
    opts: &InputOptions,
    in_folder: bool,
) -> Result<Part> {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    let url = format!("{stem}{}", opts.page_suffix);
    let mut part = Part::default();
    let (line, outcome) = match std::str::from_utf8(body) {
        Err(e) => (line_at(body, e.valid_up_to()), Err(NOT_UTF8.to_owned())),
        Ok(text) if in_folder && !looks_like_an_event(text) => {
            part.other_pages.push(file.to_owned());
            return Ok(part);
        }
        Ok(text) => match parse(text, stem.to_owned(), url) {
            Ok(ev) => (1, Ok((ev, false))),
            Err((line, detail)) => (line, Err(detail)),
        },
    };
    let origin = Origin { file: file.to_owned(), line };
    part.take(outcome, Vec::new(), origin, opts.on_invalid, |o, detail| {
        Error::InputRecord {
            file: o.file,
            line: o.line,
            read_as: why.to_owned(),
            detail,
        }
    })?;
    Ok(part)
}

/// Whether a page has a date line (`### [2014-05-6](…)`), which every
/// event page has and other pages (about, a day's index) lack.
fn looks_like_an_event(text: &str) -> bool {
    text.lines()
        .filter_map(|l| heading(l.trim()))
        .any(|(_, h)| date_in(h).is_some())
}

/// Where a line of the page is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before the first `###` section: the headline and the body.
    Top,
    Sources,
    Related,
    Other,
}

/// Parses a page; an error is a line number and what is wrong.
fn parse(
    text: &str,
    id: String,
    url: String,
) -> std::result::Result<Event, (u64, String)> {
    let mut date: Option<(u64, String)> = None;
    let mut title: Option<String> = None;
    let mut paragraphs: Vec<String> = Vec::new();
    let mut para = String::new();
    let mut section = Section::Top;
    let mut sources = Vec::new();
    let mut contexts: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        let l = line.trim();
        if let Some((level, heading)) = heading(l) {
            if date.is_none() && section == Section::Top {
                if let Some(d) = date_in(heading) {
                    let d = normalise_date(d).ok_or_else(|| {
                        (
                            n,
                            format!(
                                "invalid date {d:?} (expected YYYY-MM-DD)"
                            ),
                        )
                    })?;
                    date = Some((n, d));
                    continue;
                }
            }
            if level == 1 && title.is_none() && section == Section::Top {
                title = Some(unescape(heading));
                continue;
            }
            if title.is_some() {
                end_paragraph(&mut para, &mut paragraphs);
                let name = heading.trim_end_matches(':').trim();
                section = match name.to_ascii_lowercase().as_str() {
                    "source" | "sources" => Section::Sources,
                    "related" => Section::Related,
                    _ => Section::Other,
                };
            }
            continue;
        }
        match section {
            Section::Top if title.is_some() => {
                if l.is_empty() {
                    end_paragraph(&mut para, &mut paragraphs);
                } else {
                    if !para.is_empty() {
                        para.push(' ');
                    }
                    para.push_str(&unescape(l));
                }
            }
            Section::Sources => source_line(l, &mut sources),
            Section::Related => labels(l, &mut contexts),
            Section::Top | Section::Other => {}
        }
    }
    end_paragraph(&mut para, &mut paragraphs);
    let Some((date_line, date)) = date else {
        return Err((
            1,
            "not an event page: no date line, such as `### \
             [2014-05-6](/news/2014/05/6/index.md)`"
                .into(),
        ));
    };
    let title = title.filter(|t| !t.trim().is_empty()).ok_or((
        date_line,
        "not an event page: no `# headline` line after the date".to_owned(),
    ))?;
    let body = (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"));
    Ok(Event {
        id,
        date,
        title: title.trim().to_owned(),
        category: None,
        sources,
        contexts,
        url: Some(url),
        body,
    })
}

fn end_paragraph(para: &mut String, paragraphs: &mut Vec<String>) {
    if !para.is_empty() {
        paragraphs.push(std::mem::take(para));
    }
}

/// A heading line's level and text: `### Source:` → (3, `Source:`).
fn heading(l: &str) -> Option<(usize, &str)> {
    let level = l.bytes().take_while(|&b| b == b'#').count();
    let rest = &l[level..];
    if !(1..=6).contains(&level)
        || !(rest.is_empty() || rest.starts_with([' ', '\t']))
    {
        return None;
    }
    Some((level, rest.trim()))
}

/// The date a heading gives, written as it is: `[2014-05-6](…)` or
/// `2014-05-06` (anything that starts with four digits and a dash is
/// taken for a date, so a bad one is reported, not ignored).
fn date_in(heading: &str) -> Option<&str> {
    let text = match links(heading).first() {
        Some(link) if heading.starts_with('[') => link.text,
        _ => heading,
    };
    let text = text.trim();
    let b = text.as_bytes();
    let looks =
        b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-';
    looks.then_some(text)
}

/// A link in Markdown: `[text](url)`, or an image `![text](url)`.
struct Link<'a> {
    text: &'a str,
    url: &'a str,
    image: bool,
}

/// The links in a line, in order.
fn links(s: &str) -> Vec<Link<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = s[from..].find('[').map(|k| from + k) {
        let Some(close) = closing(s, open + 1, '[', ']') else { break };
        if !s[close + 1..].starts_with('(') {
            from = open + 1;
            continue;
        }
        let start = close + 2;
        let Some(end) = closing(s, start, '(', ')') else { break };
        let target = s[start..end].trim();
        let url = match target.strip_prefix('<') {
            Some(t) => t.split('>').next().unwrap_or(t),
            None => target.split_whitespace().next().unwrap_or(""),
        };
        let image = s[..open].ends_with('!');
        out.push(Link { text: &s[open + 1..close], url, image });
        from = end + 1;
    }
    out
}

/// The index of the `close` that ends a group opened just before
/// `from`, skipping nested groups and backslash escapes.
fn closing(s: &str, from: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 1;
    let mut escaped = false;
    for (k, c) in s[from..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(from + k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a URL points at an image (a cover picture is no source).
fn is_image(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let path = path.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// The sources in one line of the `### Source:` list: its links (not
/// images), or the item's text when it has none.
fn source_line(l: &str, out: &mut Vec<Source>) {
    let item = list_item(l);
    let found = links(l);
    if found.is_empty() {
        if let Some(s) = item.and_then(|i| source_text(&unescape(i))) {
            out.push(s);
        }
        return;
    }
    for link in found {
        if link.image || is_image(link.url) || link.url.is_empty() {
            continue;
        }
        let name = unescape(link.text.trim());
        let url = link.url.to_owned();
        out.push(match source_text(&url) {
            Some(s) if name.is_empty() => s,
            _ => Source { name, url: Some(url) },
        });
    }
}

/// The text of a list item (`1. x`, `1) x`, `- x`, `* x`, `+ x`).
fn list_item(l: &str) -> Option<&str> {
    let digits = l.bytes().take_while(u8::is_ascii_digit).count();
    let rest = if digits > 0 {
        l[digits..].strip_prefix(['.', ')'])?
    } else {
        l.strip_prefix(['-', '*', '+'])?
    };
    rest.starts_with([' ', '\t'])
        .then(|| rest.trim())
        .filter(|r| !r.is_empty())
}

/// Adds the contexts labelled in one line of the `### Related:` list,
/// `_Context: Geneva_` (or `*Context: Geneva*`), each once.
fn labels(l: &str, out: &mut Vec<String>) {
    let mut rest = l;
    while let Some(k) = rest.find("Context:") {
        let mark = rest[..k].chars().next_back();
        let after = &rest[k + "Context:".len()..];
        rest = after;
        let Some(mark @ ('_' | '*')) = mark else { continue };
        // The closing mark: one not followed by a letter or digit, so
        // `_Context: Foo_bar_` names `Foo_bar`.
        let end = after.char_indices().find(|&(i, c)| {
            c == mark
                && !after[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        });
        let Some((end, _)) = end else { break };
        let name = unescape(after[..end].trim());
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest = &after[end + 1..];
    }
}

/// Markdown's backslash escapes undone: `\*` → `*`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next.is_ascii_punctuation() {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed page: a real page of the archive's site.
    const SEED: &str = "### [2014-05-6](/news/2014/05/6/index.md)\n\n\
        # Russian foreign minister Sergey Lavrov rules out any fresh talks \
        in Geneva to defuse the crisis unless pro-Russian groups are also \
        involved. \n\n\n\n\n\
        ### Source:\n\n\
        1. [BBC](http://www.bbc.com/news/world-europe-27289897)\n\
        1. [Cover Image](https://ichef.bbci.co.uk/news/1024/media/images/\
        74673000/jpg/_74673848_74673847.jpg)\n\n\
        ### Related:\n\n\
        1. [United Nations officials announce the creation of a new team in \
        Geneva. ](/news/2017/02/16/united-nations.md) _Context: Geneva_\n\
        2. [ Russia and the United States will continue talks on Aleppo. \
        ](/news/2016/12/9/russia.md) _Context: Sergey Lavrov_\n\
        3. [Greek and Turkish local leaders of Cyprus resume talks. \
        ](/news/2017/01/9/greek.md) _Context: Geneva_\n\
        4. [Dutch-led investigators say Malaysia Airlines flight MH17 was \
        downed. ](/news/2016/09/28/dutch.md) _Context: 2014 pro-Russian \
        unrest in Ukraine_\n";

    fn page(text: &str) -> std::result::Result<Event, (u64, String)> {
        parse(text, "p".into(), "p.html".into())
    }

    #[test]
    fn the_seed_page() {
        let ev = page(SEED).unwrap();
        assert_eq!(ev.date, "2014-05-06");
        assert_eq!(
            ev.title,
            "Russian foreign minister Sergey Lavrov rules out any fresh \
             talks in Geneva to defuse the crisis unless pro-Russian groups \
             are also involved."
        );
        assert_eq!(
            ev.sources,
            [Source {
                name: "BBC".into(),
                url: Some(
                    "http://www.bbc.com/news/world-europe-27289897".into()
                ),
            }]
        );
        assert_eq!(
            ev.contexts,
            ["Geneva", "Sergey Lavrov", "2014 pro-Russian unrest in Ukraine"]
        );
        assert_eq!(ev.body, None);
        assert_eq!(ev.category, None);
    }

    #[test]
    fn page_variants() {
        let ev = page(
            "\n### 2014-5-6\n\n# Talks \\*resume\\* \n\nFirst line\nof the \
             body.\n\nSecond [part](x).\n\n## Sources\n\n- [AP](<https://ap.\
             org/a> \"AP\")\n- ![pic](https://x.org/a.png)\n- \
             [Photo](https://x.org/b.WEBP?w=1)\n- Reuters\n- \
             [](https://www.ft.com/c)\n\n### Related\n\n* [x](y) \
             *Context: Foo_bar* and _Context: Geneva_\n* [z](w) \
             _Context: Geneva_\n\n### Notes\n\n- [Not](https://a.source)\n",
        )
        .unwrap();
        assert_eq!(ev.date, "2014-05-06");
        assert_eq!(ev.title, "Talks *resume*");
        assert_eq!(
            ev.body.as_deref(),
            Some("First line of the body.\n\nSecond [part](x).")
        );
        let s: Vec<(&str, Option<&str>)> = ev
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.url.as_deref()))
            .collect();
        assert_eq!(
            s,
            [
                ("AP", Some("https://ap.org/a")),
                ("Reuters", None),
                ("www.ft.com", Some("https://www.ft.com/c")),
            ]
        );
        assert_eq!(ev.contexts, ["Foo_bar", "Geneva"]);
    }

    #[test]
    fn pages_that_are_not_events() {
        let cases = [
            (
                "# About this archive\n\nText.\n",
                (
                    1,
                    "not an event page: no date line, such as `### \
                     [2014-05-6](/news/2014/05/6/index.md)`",
                ),
            ),
            (
                "\n### [2014-05-6](/x)\n\n### Source:\n",
                (2, "not an event page: no `# headline` line after the date"),
            ),
            (
                "### [2014-13-6](/x)\n# T\n",
                (1, "invalid date \"2014-13-6\" (expected YYYY-MM-DD)"),
            ),
        ];
        for (text, (line, want)) in cases {
            assert_eq!(page(text).unwrap_err(), (line, want.to_owned()));
        }
    }
}
