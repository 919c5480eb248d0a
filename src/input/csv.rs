//! CSV with a header row (RFC 4180: quoted cells with `""` for a quote,
//! delimiters and newlines inside quotes), separated by `,`, `;` or tabs
//! as the header shows. A cell holding a list (sources, contexts)
//! separates its items by `;` or `|` (only `|` when `;` separates
//! cells).

use serde_json::{Map, Value};

use super::record::Shape;
use super::{InputOptions, Part, Text, NOT_UTF8};
use crate::builder::Origin;
use crate::error::{Error, Result};

/// Reads a CSV input.
pub(super) fn read(
    text: &Text,
    file: &str,
    opts: &InputOptions,
) -> Result<Part> {
    let delim = delimiter(&text.text);
    let (rows, broken) = rows(&text.text, delim);
    let header: Vec<String> = match rows.first() {
        Some(row) => row
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| match c.trim() {
                "" => format!("(column {})", i + 1),
                c => c.to_owned(),
            })
            .collect(),
        None => Vec::new(),
    };
    let why = describe(&header, delim);
    let err = |line: u64, detail: String| Error::InputRecord {
        file: file.to_owned(),
        line,
        read_as: why.clone(),
        detail,
    };
    if let Some((line, detail)) = broken {
        return Err(err(line, detail));
    }
    for (i, name) in header.iter().enumerate() {
        if let Some(j) = header[..i].iter().position(|n| n == name) {
            return Err(err(
                1,
                format!(
                    "the header names `{name}` twice (columns {} and {}); \
                     rename one",
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    let list_sep: &'static [char] =
        if delim == b';' { &['|'] } else { &[';', '|'] };
    let shape = Shape::new(&opts.mapping, Some(list_sep), "COLUMN");
    let records = rows.get(1..).unwrap_or_default();
    let parts = crate::par::map(records.chunks(1024), |chunk| {
        let mut part = Part::default();
        for row in chunk {
            let (outcome, unused) = if text.is_bad(row.start, row.end) {
                (Err(NOT_UTF8.to_owned()), Vec::new())
            } else if row.cells.len() > header.len() {
                let detail = format!(
                    "this row has {} cells, the header {}: quote a cell that \
                     holds {}",
                    row.cells.len(),
                    header.len(),
                    match delim {
                        b'\t' => "a tab",
                        b';' => "`;`",
                        _ => "`,`",
                    },
                );
                (Err(detail), Vec::new())
            } else {
                let mut rec = Map::new();
                for (name, cell) in header.iter().zip(&row.cells) {
                    let cell = cell.trim();
                    if !cell.is_empty() {
                        rec.insert(name.clone(), Value::String(cell.into()));
                    }
                }
                let unused = shape.unused(&rec);
                (shape.convert(&rec, !unused.is_empty()), unused)
            };
            let origin = Origin { file: file.to_owned(), line: row.line };
            part.take(outcome, unused, origin, opts.on_invalid, |o, d| {
                err(o.line, d)
            })?;
        }
        Ok(part)
    });
    Part::join(parts)
}

/// `CSV (header: a,b,c)`: how the input was read, for errors.
fn describe(header: &[String], delim: u8) -> String {
    let mut names = header.join(",");
    if names.chars().count() > 80 {
        names = names.chars().take(77).collect::<String>() + "…";
    }
    match delim {
        b';' => format!("CSV (header: {names}; cells separated by `;`)"),
        b'\t' => format!("CSV (header: {names}; cells separated by tabs)"),
        _ => format!("CSV (header: {names})"),
    }
}

/// The delimiter the header row uses most: `,`, `;` or tab (`,` when it
/// has none, a one-column file).
fn delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    [b',', b';', b'\t'][best]
}

/// One row: its cells, the line it starts on and its bytes in the text.
struct Row {
    line: u64,
    start: usize,
    end: usize,
    cells: Vec<String>,
}

/// Splits text into rows (blank lines skipped). Reading stops at a quote
/// that is never closed: the rows before it come back with the error.
fn rows(text: &str, delim: u8) -> (Vec<Row>, Option<(u64, String)>) {
    let b = text.as_bytes();
    // The end of an unquoted cell: the next delimiter or newline.
    let cell_end = |from: usize| {
        b[from..]
            .iter()
            .position(|&c| c == delim || c == b'\n')
            .map_or(b.len(), |k| from + k)
    };
    let mut rows = Vec::new();
    let mut i = 0;
    let mut line = 1u64;
    while i < b.len() {
        let (start, first_line) = (i, line);
        let mut cells = Vec::new();
        loop {
            let lead = b[i..]
                .iter()
                .take_while(|&&c| c == b' ' || (c == b'\t' && delim != b'\t'))
                .count();
            let mut cell = String::new();
            if b.get(i + lead) == Some(&b'"') {
                let opened = line;
                i += lead + 1;
                loop {
                    let Some(k) = b[i..].iter().position(|&c| c == b'"')
                    else {
                        let detail = "a quoted cell is never closed (its \
                                      `\"` opens on this line)";
                        return (rows, Some((opened, detail.into())));
                    };
                    let part = &text[i..i + k];
                    line +=
                        part.bytes().filter(|&c| c == b'\n').count() as u64;
                    cell.push_str(part);
                    i += k + 1;
                    if b.get(i) == Some(&b'"') {
                        cell.push('"');
                        i += 1;
                    } else {
                        break;
                    }
                }
                // Text between the closing quote and the delimiter is
                // kept, as most readers do.
                let end = cell_end(i);
                cell.push_str(text[i..end].trim_end_matches('\r'));
                i = end;
            } else {
                let end = cell_end(i);
                cell.push_str(text[i..end].trim_end_matches('\r'));
                i = end;
            }
            cells.push(cell);
            match b.get(i) {
                Some(&c) if c == delim => i += 1,
                Some(b'\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        if !(cells.len() == 1 && cells[0].trim().is_empty()) {
            rows.push(Row { line: first_line, start, end: i, cells });
        }
    }
    (rows, None)
}

#[cfg(test)]
mod tests {
    use super::super::{read_bytes, InputOptions, Mapping, OnInvalid};
    use super::*;

    fn cells(text: &str) -> Vec<(u64, Vec<String>)> {
        let (rows, broken) = rows(text, delimiter(text));
        assert_eq!(broken, None);
        rows.into_iter().map(|r| (r.line, r.cells)).collect()
    }

    fn row(line: u64, cells: &[&str]) -> (u64, Vec<String>) {
        (line, cells.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn quoting() {
        let text = "a,b,c\r\n\
                    1,\"two, \"\"2\"\"\",3\r\n\
                    \n\
                    \"multi\nline\",,\"\"\n\
                    x, \"y\" z,\n\
                    last";
        assert_eq!(
            cells(text),
            [
                row(1, &["a", "b", "c"]),
                row(2, &["1", "two, \"2\"", "3"]),
                row(4, &["multi\nline", "", ""]),
                row(6, &["x", "y z", ""]),
                row(7, &["last"]),
            ]
        );
        let (rows, broken) = rows("a,b\n1,\"open\n\n", b',');
        assert_eq!(rows.len(), 1);
        assert_eq!(
            broken,
            Some((
                2,
                "a quoted cell is never closed (its `\"` opens on this \
                      line)"
                    .into()
            ))
        );
    }

    #[test]
    fn delimiters_come_from_the_header() {
        assert_eq!(delimiter("a,b;c,d\n;;;;;;"), b',');
        assert_eq!(delimiter("a;b;\"c,d,e\"\n"), b';');
        assert_eq!(delimiter("a\tb\tc,d\n"), b'\t');
        assert_eq!(delimiter("title\n"), b',');
        assert_eq!(
            cells("a\tb\n1\t \"x\"\n"),
            [row(1, &["a", "b"]), row(2, &["1", "x"])]
        );
    }

    fn read(text: &str, opts: &InputOptions) -> Result<super::super::Inputs> {
        read_bytes(text.as_bytes(), "e.csv", opts)
    }

    #[test]
    fn lists_in_cells() {
        let text = "date;title;sources;contexts\n\
                    2014-05-06;Talks;BBC <http://bbc.co.uk/a> | Reuters;\
                    \"Geneva|Syria; talks\"\n";
        let got = read(text, &InputOptions::default()).unwrap();
        let ev = &got.events.get(0).0;
        assert_eq!(ev.contexts, ["Geneva", "Syria; talks"]);
        assert_eq!(ev.sources.len(), 2);
        assert_eq!(ev.sources[0].url.as_deref(), Some("http://bbc.co.uk/a"));
    }

    #[test]
    fn csv_errors_say_how_the_input_was_read() {
        let opts = InputOptions::default();
        let cases = [
            (
                "headline,day,tags\nTalks,2014-05-06,Geneva\n",
                "e.csv:2: read as CSV (header: headline,day,tags): missing \
                 required field `date` (map it with --field date=COLUMN)",
            ),
            (
                "date;title\n2014-05-06;Talks;x\n",
                "e.csv:2: read as CSV (header: date,title; cells separated \
                 by `;`): this row has 3 cells, the header 2: quote a cell \
                 that holds `;`",
            ),
            (
                "date,title,date\n",
                "e.csv:1: read as CSV (header: date,title,date): the header \
                 names `date` twice (columns 1 and 3); rename one",
            ),
            (
                "date,title\n2014-05-06,\"Talks\n",
                "e.csv:2: read as CSV (header: date,title): a quoted cell is \
                 never closed (its `\"` opens on this line)",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(read(text, &opts).unwrap_err().to_string(), want);
        }
        let mapping =
            Mapping::from_specs(["date=day", "title=headline"]).unwrap();
        let opts = InputOptions {
            mapping,
            on_invalid: OnInvalid::Skip,
            ..Default::default()
        };
        let got = read(cases[0].0, &opts).unwrap();
        assert_eq!(got.events.get(0).0.title, "Talks");
        assert_eq!(got.unused, [("tags".to_owned(), 1)]);
    }
}
