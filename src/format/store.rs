//! The doc-store record codec shared by the writer and the reader:
//! event permalinks that follow the archive's rule are stored as one
//! byte and derived again when read.

use crate::event::Day;

/// The permalink the archive gives an event of `day` titled `title`:
/// `/news/YYYY/MM/D/slug.md`, where the day has no leading zero and the
/// slug is the title folded to ASCII, lower-cased, with every run of
/// other characters turned into one `-`, cut to 140 bytes.
pub fn derived_url(day: Day, title: &str) -> String {
    let mut url = url_prefix(day);
    push_slug(&mut url, title);
    url.push_str(".md");
    url
}

/// The permalink up to the slug: `/news/YYYY/MM/D/`.
pub(crate) fn url_prefix(day: Day) -> String {
    let (y, m, d) = crate::event::civil_from_days(day);
    format!("/news/{y:04}/{m:02}/{d}/")
}

/// Appends the slug of `title` to `out`.
pub(crate) fn push_slug(out: &mut String, title: &str) {
    const MAX: usize = 140;
    let start = out.len();
    let mut dash = false;
    for c in title.chars() {
        match slug_char(c) {
            Some(c) if c.is_ascii_alphanumeric() => {
                if dash && out.len() > start {
                    out.push('-');
                }
                dash = false;
                out.push(c.to_ascii_lowercase());
                if out.len() - start >= MAX {
                    break; // the rest would be cut
                }
            }
            Some(_) => dash = true,
            None => {}
        }
    }
    // The slug is ASCII, so any cut is a character boundary.
    out.truncate(start + MAX);
    while out.len() > start && out.ends_with('-') {
        out.pop();
    }
}

/// What a title character becomes in a slug: ASCII as is, a letter with
/// a diacritic its base letter, anything else nothing (as Unicode's
/// compatibility decomposition followed by dropping non-ASCII does).
fn slug_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    let l = crate::lowercase::to_lowercase(c).next()?;
    let base = match l {
        'à'..='å' | 'ª' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'º' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        // Latin Extended-A, but for the letters that do not decompose.
        '\u{0110}' | '\u{0111}' | '\u{0126}' | '\u{0127}' | '\u{0131}'
        | '\u{0138}' | '\u{0141}' | '\u{0142}' | '\u{014a}' | '\u{014b}'
        | '\u{0152}' | '\u{0153}' | '\u{0166}' | '\u{0167}' => return None,
        '\u{0100}'..='\u{017f}' => {
            let b = crate::text::LATIN_EXT_A[l as usize - 0x100];
            if b == b'#' {
                return None;
            }
            b as char
        }
        _ => return None,
    };
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::parse_date;

    #[test]
    fn permalinks_follow_the_archive_rule() {
        let day = |s| parse_date(s).unwrap();
        assert_eq!(
            derived_url(day("1999-01-01"), "The euro currency is introduced."),
            "/news/1999/01/1/the-euro-currency-is-introduced.md"
        );
        assert_eq!(
            derived_url(day("2002-06-12"), "Bülent Ecevit – 2–1 Bømlafjord's"),
            "/news/2002/06/12/bulent-ecevit-21-bmlafjord-s.md"
        );
        let long = "word ".repeat(40);
        let url = derived_url(day("2020-10-05"), &long);
        assert!(url.len() <= "/news/2020/10/5/".len() + 140 + 3);
        assert!(url.ends_with("word.md"), "{url}");
    }

    /// The slug is cut at 140 bytes, then of its trailing dashes; it is
    /// built only that far.
    #[test]
    fn slugs_are_cut_as_if_built_whole() {
        let whole = |title: &str| {
            let mut slug = String::new();
            let mut dash = false;
            for c in title.chars() {
                match slug_char(c) {
                    Some(c) if c.is_ascii_alphanumeric() => {
                        if dash && !slug.is_empty() {
                            slug.push('-');
                        }
                        dash = false;
                        slug.push(c.to_ascii_lowercase());
                    }
                    Some(_) => dash = true,
                    None => {}
                }
            }
            slug.truncate(140);
            while slug.ends_with('-') {
                slug.pop();
            }
            slug
        };
        for word in 1..12 {
            for sep in [" ", " - ", "ü", "é "] {
                let title = vec!["x".repeat(word); 40].join(sep);
                let mut slug = "/".to_owned();
                push_slug(&mut slug, &title);
                assert_eq!(slug[1..], whole(&title), "{title}");
            }
        }
    }
}
