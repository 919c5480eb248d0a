//! The event record: what the builder reads and the doc store returns.

use serde::{Deserialize, Serialize};

/// One news event, in the WCEP record shape.
///
/// `id`, `date` and `title` are required; everything else may be absent
/// or `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique identifier, e.g. `wcep-20140506-001`.
    pub id: String,
    /// The day of the event, `YYYY-MM-DD`.
    pub date: String,
    /// The one-sentence summary.
    pub title: String,
    /// Section heading such as `Armed conflicts and attacks`.
    #[serde(default)]
    pub category: Option<String>,
    /// Cited news articles.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub sources: Vec<Source>,
    /// Wikipedia articles the event is about: people, places, topics.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contexts: Vec<String>,
    /// The event's own page.
    #[serde(default)]
    pub url: Option<String>,
    /// Optional longer text: indexed, and shown as an excerpt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// A cited news article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The outlet, as the editor wrote it (`BBC`, `Reuters`).
    #[serde(default)]
    pub name: String,
    /// The article's address; `None` when the archive has none.
    #[serde(default)]
    pub url: Option<String>,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A calendar day, stored as days since 1970-01-01 (negative before).
pub type Day = i32;

/// Parses `YYYY-MM-DD` (a proleptic Gregorian date) into a [`Day`].
pub fn parse_date(s: &str) -> Option<Day> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1..=12) of year `y`.
pub fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: i32, d: i32) -> Day {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date `(year, month, day)` of a [`Day`]. Computed in 64
/// bits, so any day at all (from a damaged index, say) gives a date
/// rather than an overflow.
pub fn civil_from_days(z: Day) -> (i32, i32, i32) {
    let z = i64::from(z) + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // |y| < 2^31 / 365 + 1, and 1 <= m <= 12, 1 <= d <= 31.
    (y as i32, m as i32, d as i32)
}

/// Formats a [`Day`] as `YYYY-MM-DD`.
pub fn format_date(day: Day) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for s in [
            "1970-01-01",
            "1999-01-01",
            "2000-02-29",
            "2014-05-06",
            "2026-03-28",
            "1969-12-31",
            "1900-03-01",
        ] {
            let d = parse_date(s).unwrap();
            assert_eq!(format_date(d), s);
        }
        for z in [Day::MIN, Day::MAX, -719_528, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert!((1..=12).contains(&m) && (1..=31).contains(&d), "{z}");
            assert!(y.unsigned_abs() < 6_000_000, "{z}");
        }
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
    }

    #[test]
    fn bad_dates_are_rejected() {
        for s in [
            "2014-5-06",
            "2014-13-01",
            "2014-02-30",
            "2013-02-29",
            "20140506",
            "2014-05-06T00",
            "abcd-ef-gh",
            "2014-00-10",
            "+014-05-06",
            "",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[cfg(feature = "build")]
    #[test]
    fn null_lists_are_empty() {
        let e: Event = serde_json::from_str(
            r#"{"id":"a","date":"2014-05-06","title":"t",
                "sources":null,"contexts":null}"#,
        )
        .unwrap();
        assert!(e.sources.is_empty() && e.contexts.is_empty());
    }
}
