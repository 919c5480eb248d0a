//! The one tokenizer: normalisation and word splitting shared by the
//! builder and the query, so the two can never disagree.
//!
//! A *term* is a run of letters and digits, lower-cased with Unicode case
//! folding and with diacritics folded to their base letter (`Zürich` →
//! `zurich`, `Łódź` → `lodz`, `straße` → `strasse`). Everything else
//! separates terms, with three exceptions that keep words whole:
//!
//! * an apostrophe inside a word is dropped (`don't` → `dont`), and a
//!   possessive `'s` is dropped with it (`Obama's` → `obama`);
//! * a comma or a period between two digits joins them (`1,000` → `1000`,
//!   `3.5` → `35`), so numbers stay one term;
//! * periods in a dotted acronym are dropped (`U.S.` → `us`).
//!
//! Hyphens separate (`pro-Russian` → `pro`, `russian`), so `pro-russian`
//! and `pro russian` are the same query.

/// Terms longer than this many bytes are cut (at a character boundary):
/// nobody types them, and they would only bloat the dictionary.
pub const MAX_TERM_BYTES: usize = 48;

/// One term of a text, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised term.
    pub term: String,
    /// Byte offset of the first character of the word in the input.
    pub start: usize,
    /// Byte offset just past the word in the input.
    pub end: usize,
    /// The word's position: 0 for the first word, 1 for the next, ….
    pub position: u32,
}

/// Splits `text` into normalised terms.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t));
    out
}

/// Splits `text` into normalised terms and returns only the terms.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.term));
    out
}

/// Normalises a whole phrase: its terms joined by single spaces. Used to
/// compare names (contexts, sources, categories) loosely.
pub fn normalize_phrase(text: &str) -> String {
    spaced(&terms(text))
}

/// `words` joined by single spaces. (A loop: `[String]::join` is a
/// kilobyte of wasm for the general case.)
pub fn spaced(words: &[String]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Calls `f` with each token of `text`, in order.
pub fn for_each_token(text: &str, mut f: impl FnMut(Token)) {
    scan(text, &mut Scratch::default(), |term, start, end, position| {
        f(Token { term: term.to_owned(), start, end, position })
    });
}

/// Buffers for [`scan`], kept by a caller that tokenizes many texts so
/// that it allocates once rather than per text and per term.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    chars: Vec<(usize, char)>,
    term: String,
}

/// The tokenizer: calls `f(term, start, end, position)` for each token
/// of `text`, in order, with the term borrowed from `scratch`.
pub(crate) fn scan(
    text: &str,
    scratch: &mut Scratch,
    mut f: impl FnMut(&str, usize, usize, u32),
) {
    let Scratch { chars, term } = scratch;
    chars.clear();
    chars.extend(text.char_indices());
    let mut i = 0;
    let mut position = 0u32;
    while i < chars.len() {
        if !is_word_char(chars[i].1) {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        term.clear();
        // Length of the current run of letters (for acronym detection).
        let mut run_letters = 0usize;
        let mut end = start;
        while i < chars.len() {
            let (at, c) = chars[i];
            if is_word_char(c) {
                fold_into(c, term);
                run_letters += 1;
                end = at + c.len_utf8();
                i += 1;
                continue;
            }
            let prev = chars.get(i.wrapping_sub(1)).map(|p| p.1);
            let next = chars.get(i + 1).map(|p| p.1);
            let next_is_word = next.is_some_and(is_word_char);
            if is_apostrophe(c) && next_is_word {
                // Possessive 's at the end of a word: drop it.
                let after = chars.get(i + 2).map(|p| p.1);
                if matches!(next, Some('s' | 'S'))
                    && !after.is_some_and(is_word_char)
                {
                    end = chars[i + 1].0 + 1;
                    i += 2;
                    break;
                }
                i += 1;
                continue;
            }
            let digits_around = prev.is_some_and(|p| p.is_ascii_digit())
                && next.is_some_and(|n| n.is_ascii_digit());
            if (c == ',' || c == '.') && digits_around {
                i += 1;
                run_letters = 0;
                continue;
            }
            // A dotted acronym: single letters separated by periods.
            if c == '.'
                && run_letters == 1
                && prev.is_some_and(char::is_alphabetic)
                && next.is_some_and(char::is_alphabetic)
                && chars.get(i + 2).is_none_or(|p| !is_word_char(p.1))
            {
                run_letters = 0;
                i += 1;
                continue;
            }
            break;
        }
        if !term.is_empty() {
            truncate_term(term);
            f(term, start, end, position);
            position += 1;
        }
    }
}

/// Normalises one word typed by a user: the first term of `word`, or an
/// empty string when it has none.
pub fn normalize(word: &str) -> String {
    let mut out = String::new();
    for_each_token(word, |t| {
        if out.is_empty() {
            out = t.term;
        }
    });
    out
}

fn truncate_term(term: &mut String) {
    if term.len() > MAX_TERM_BYTES {
        let mut cut = MAX_TERM_BYTES;
        while !term.is_char_boundary(cut) {
            cut -= 1;
        }
        term.truncate(cut);
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}')
}

/// Letters, digits and combining marks (which belong to the letter before
/// them and are folded away).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}')
}

/// Base letters of U+0100..=U+017F (Latin Extended-A), lower-cased;
/// `#` marks the two ligatures handled separately.
pub(crate) const LATIN_EXT_A: &[u8; 128] =
    b"aaaaaaccccccccddddeeeeeeeeeegggggggghhhh\
iiiiiiiiii##jjkkkllllllllllnnnnnnnnnoooooo##rrrrrrssssssssttttttuuuuuu\
uuuuuuwwyyyzzzzzzs";

/// Appends the folded form of `c` to `out`: lower case, diacritics off.
fn fold_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if is_combining_mark(c) {
        return;
    }
    for l in crate::lowercase::to_lowercase(c) {
        fold_lower(l, out);
    }
}

fn fold_lower(c: char, out: &mut String) {
    let folded: &str = match c {
        'à'..='å' | 'ª' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è'..='ë' => "e",
        'ì'..='ï' => "i",
        'ð' => "d",
        'ñ' => "n",
        'ò'..='ö' | 'ø' | 'º' => "o",
        'ù'..='ü' => "u",
        'ý' | 'ÿ' => "y",
        'þ' => "th",
        'ß' => "ss",
        'ĳ' => "ij",
        'œ' => "oe",
        '\u{0100}'..='\u{017f}' => {
            let b = LATIN_EXT_A[c as usize - 0x100];
            out.push(b as char);
            return;
        }
        'ǎ' | 'ǻ' | 'ǟ' | 'ǡ' | 'ȁ' | 'ȃ' | 'ȧ' => "a",
        'ǐ' | 'ȉ' | 'ȋ' => "i",
        'ǒ' | 'ơ' | 'ǫ' | 'ǭ' | 'ȍ' | 'ȏ' | 'ȫ' | 'ȭ' | 'ȯ' | 'ȱ' => {
            "o"
        }
        'ǔ' | 'ư' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ȕ' | 'ȗ' => "u",
        'ș' => "s",
        'ț' => "t",
        'ǧ' => "g",
        'ǩ' => "k",
        'ȅ' | 'ȇ' | 'ȩ' => "e",
        'ά' => "α",
        'έ' => "ε",
        'ή' => "η",
        'ί' | 'ϊ' | 'ΐ' => "ι",
        'ό' => "ο",
        'ύ' | 'ϋ' | 'ΰ' => "υ",
        'ώ' => "ω",
        'ς' => "σ",
        'ё' => "е",
        'й' => "и",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// Levenshtein distance allowed for a query word of `chars` characters:
/// none below 4, one edit from 4, two from 8.
pub fn typo_budget(chars: usize) -> u8 {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Zürich", &["zurich"]),
            ("ZÜRICH", &["zurich"]),
            ("Zu\u{308}rich", &["zurich"]),
            ("Łódź", &["lodz"]),
            ("Straße", &["strasse"]),
            ("São Paulo", &["sao", "paulo"]),
            ("Erdoğan", &["erdogan"]),
            ("Škoda Ceaușescu", &["skoda", "ceausescu"]),
            ("pro-Russian", &["pro", "russian"]),
            ("pro russian", &["pro", "russian"]),
            ("Obama's speech", &["obama", "speech"]),
            ("Obama’s", &["obama"]),
            ("don't", &["dont"]),
            ("1,000 people", &["1000", "people"]),
            ("3.5 billion", &["35", "billion"]),
            ("the U.S. and U.K.", &["the", "us", "and", "uk"]),
            ("end. Next", &["end", "next"]),
            ("2014–2016", &["2014", "2016"]),
            ("  ", &[]),
            ("Œuvre Æther", &["oeuvre", "aether"]),
            ("Ελλάδα", &["ελλαδα"]),
            ("'quoted'", &["quoted"]),
            ("rock'n'roll", &["rocknroll"]),
        ];
        for (input, want) in cases {
            assert_eq!(terms(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn token_offsets_point_into_the_input() {
        let text = "Sergey Lavrov's Zürich talks";
        let toks = tokenize(text);
        let words: Vec<&str> =
            toks.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(words, ["Sergey", "Lavrov's", "Zürich", "talks"]);
        let pos: Vec<u32> = toks.iter().map(|t| t.position).collect();
        assert_eq!(pos, [0, 1, 2, 3]);
    }

    #[test]
    fn long_terms_are_cut_on_a_char_boundary() {
        let long = "é".repeat(40);
        let t = normalize(&long);
        assert!(t.len() <= MAX_TERM_BYTES);
        assert_eq!(t, "e".repeat(40));
        let long = "ж".repeat(40);
        let t = normalize(&long);
        assert_eq!(t.len(), MAX_TERM_BYTES);
    }

    #[test]
    fn typo_budget_steps() {
        assert_eq!(typo_budget(3), 0);
        assert_eq!(typo_budget(4), 1);
        assert_eq!(typo_budget(7), 1);
        assert_eq!(typo_budget(8), 2);
    }
}
