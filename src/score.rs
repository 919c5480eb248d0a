//! Term weights: BM25F, computed once per posting when the index is
//! built and stored as one byte (the posting's impact), so a query needs
//! no per-document lengths; or, in a single file, derived as it is read
//! from the posting's field byte and the document's field lengths
//! ([`Derive`]), with only the impacts that differ stored.

use crate::format::{field, IMPACT_SCALE};

/// BM25 saturation.
pub const K1: f32 = 1.2;
/// Field weights: title, contexts, sources, category, body.
pub const FIELD_WEIGHT: [f32; field::COUNT] = [3.0, 2.0, 0.6, 0.6, 1.0];
/// Length normalisation of title, contexts and body (sources and
/// category are not normalised).
pub const FIELD_B: [f32; 3] = [0.5, 0.4, 0.75];

/// The saturated BM25F weight of a term in a document, in `[0, K1 + 1)`:
/// `tf` per field, `len` the document's title, contexts and body lengths
/// in terms, `avg` their averages over the collection.
pub fn weight(tf: [u16; field::COUNT], len: [u32; 3], avg: [f32; 3]) -> f32 {
    let norm = |f: usize| {
        let avg = avg[f].max(1.0);
        1.0 / (1.0 - FIELD_B[f] + FIELD_B[f] * len[f] as f32 / avg)
    };
    let tf = FIELD_WEIGHT[0] * f32::from(tf[0]) * norm(0)
        + FIELD_WEIGHT[1] * f32::from(tf[1]) * norm(1)
        + FIELD_WEIGHT[2] * f32::from(tf[2])
        + FIELD_WEIGHT[3] * f32::from(tf[3])
        + FIELD_WEIGHT[4] * f32::from(tf[4]) * norm(2);
    tf * (K1 + 1.0) / (K1 + tf)
}

/// Impacts are stored rounded to a multiple of this: 32 levels rank as
/// well as 255 on the relevance benchmark and deflate 1.2 MB smaller on
/// the bundled archive (FORMAT.md, `POST`).
pub const IMPACT_STEP: u32 = 8;

/// [`weight`] as the one byte a posting stores (at least 1 when the
/// term occurs at all).
pub fn impact(w: f32) -> u8 {
    let steps = (w * IMPACT_SCALE / IMPACT_STEP as f32).round() as u32;
    (steps * IMPACT_STEP).clamp(1, 255 / IMPACT_STEP * IMPACT_STEP) as u8
}

/// The weight an impact byte stands for.
#[inline]
pub fn from_impact(i: u8) -> f32 {
    f32::from(i) / IMPACT_SCALE
}

/// Field lengths a length byte can say (`LENS`): longer ones are
/// stored as this, and their postings' impacts as exceptions.
pub const MAX_DERIVED_LEN: u32 = 255;

/// The impact a posting's field byte and its document's field lengths
/// imply: [`weight`] with a frequency of one in each field the byte
/// marks, and the title's taken as its count of stored positions. The
/// writer stores a posting's impact only where this differs (a term
/// more often in a field, a field longer than a byte says); reader and
/// writer compute it with this one function, so they agree to the bit.
pub struct Derive {
    /// Per normalised field (title, contexts, body) and length 0..=255,
    /// the weight's length normalisation.
    norm: [[f32; 256]; 3],
}

impl Derive {
    /// The table for the collection's average field lengths `avg`.
    pub fn new(avg: [f32; 3]) -> Derive {
        let mut norm = [[0f32; 256]; 3];
        for (f, row) in norm.iter_mut().enumerate() {
            let avg = avg[f].max(1.0);
            for (len, n) in row.iter_mut().enumerate() {
                *n = 1.0 / (1.0 - FIELD_B[f] + FIELD_B[f] * len as f32 / avg);
            }
        }
        Derive { norm }
    }

    /// The impact of a posting with field byte `bits` in a document with
    /// field lengths `len` (title, contexts, body; 255 for longer).
    #[inline]
    pub fn impact(&self, bits: u8, len: [u8; 3]) -> u8 {
        let on = |f: u8| if bits & f != 0 { 1.0f32 } else { 0.0 };
        let title = if bits & field::TITLE != 0 {
            f32::from(((bits >> field::POS_SHIFT) & 3) + 1)
        } else {
            0.0
        };
        let tf = FIELD_WEIGHT[0] * title * self.norm[0][usize::from(len[0])]
            + FIELD_WEIGHT[1]
                * on(field::CONTEXTS)
                * self.norm[1][usize::from(len[1])]
            + FIELD_WEIGHT[2] * on(field::SOURCES)
            + FIELD_WEIGHT[3] * on(field::CATEGORY)
            + FIELD_WEIGHT[4]
                * on(field::BODY)
                * self.norm[2][usize::from(len[2])];
        impact(tf * (K1 + 1.0) / (K1 + tf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impacts_are_monotone_and_close() {
        let avg = [20.0, 3.0, 0.0];
        let mut last = 0.0;
        for tf in 1..6u16 {
            let w = weight([tf, 0, 0, 0, 0], [20, 3, 0], avg);
            assert!(w > last && w < K1 + 1.0);
            last = w;
            let back = from_impact(impact(w));
            assert!(
                (back - w).abs()
                    <= 0.5 * IMPACT_STEP as f32 / IMPACT_SCALE + 1e-6
            );
        }
        // A shorter title weighs more.
        let short = weight([1, 0, 0, 0, 0], [5, 0, 0], avg);
        let long = weight([1, 0, 0, 0, 0], [60, 0, 0], avg);
        assert!(short > long);
    }

    #[test]
    fn derived_impacts_are_the_stored_ones_for_single_occurrences() {
        use crate::format::field::*;
        let avg = [14.6, 4.2, 30.0];
        let d = Derive::new(avg);
        for bits in 0u8..32 {
            for title in 0..4u8 {
                if title > 0 && bits & TITLE == 0 {
                    continue;
                }
                let mut tf = ALL.map(|f| u16::from(bits & f != 0));
                tf[0] *= u16::from(title) + 1;
                let b = bits | (title << POS_SHIFT);
                for len in [[0, 0, 0], [9, 3, 0], [40, 120, 255], [1, 1, 7]] {
                    let want = impact(weight(tf, len.map(u32::from), avg));
                    assert_eq!(d.impact(b, len), want, "{b:#x} {len:?}");
                }
            }
        }
        assert_eq!(d.impact(0, [0; 3]), 1);
    }
}
