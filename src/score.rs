//! Term weights: BM25F, computed once per posting when the index is
//! built and stored as one byte (the posting's impact), so a query needs
//! no per-document lengths.

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
}
