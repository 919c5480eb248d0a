//! Frozen indexes of every supported format version still open and
//! answer queries the same way.

use chronicle::format::{FORMAT_VERSION, OLDEST_SUPPORTED_VERSION};
use chronicle::query::{SearchOptions, Searcher};
use chronicle::{render, Error, Index};

const V1: &[u8] = include_bytes!("data/index_v1.bin");
const V2: &[u8] = include_bytes!("data/index_v2.bin");
const V3: &[u8] = include_bytes!("data/index_v3.bin");

fn ids(s: &Searcher<&[u8]>, q: &str) -> Vec<String> {
    let r = s.search(q, &SearchOptions::default()).unwrap();
    render::hits(s, &r, 0).unwrap().into_iter().map(|h| h.id).collect()
}

#[test]
fn version_3_still_reads() {
    const { assert!(OLDEST_SUPPORTED_VERSION <= 3 && 3 <= FORMAT_VERSION) };
    let ix = Index::new(V3).unwrap();
    assert_eq!(ix.version(), 3);
    assert_eq!(ix.doc_count(), 46);
    // Written before postings were stored a column at a time.
    assert!(!ix.columns());
    let s = Searcher::new(ix);
    assert_eq!(ids(&s, "lavrov geneva"), ["wcep-20140506-001"]);
    assert_eq!(ids(&s, "hostile summit"), ["test-hostile-001"]);
    assert!(ids(&s, "zurich").contains(&"test-hostile-001".to_string()));
    assert_eq!(ids(&s, "negotiations constructive"), ["test-body-001"]);
}

/// Version 1 (before impacts, lexicon shards and the doc store's preset
/// dictionary) and version 2 (documents numbered newest first, facet
/// dictionaries with document lists) were dropped on purpose; their
/// files ask to be rebuilt.
#[test]
fn versions_1_and_2_ask_to_be_rebuilt() {
    const { assert!(OLDEST_SUPPORTED_VERSION == 3) };
    for (bytes, got) in [(V1, 1), (V2, 2)] {
        let err = Index::new(bytes).err().unwrap();
        assert_eq!(
            err,
            Error::Version {
                oldest: OLDEST_SUPPORTED_VERSION,
                newest: FORMAT_VERSION,
                got
            }
        );
        assert!(err.to_string().contains("rebuild the index"), "{err}");
    }
}

#[test]
fn versions_outside_the_range_say_what_to_do() {
    for v in [0u32, FORMAT_VERSION + 1, u32::MAX] {
        let mut b = V3.to_vec();
        b[8..12].copy_from_slice(&v.to_le_bytes());
        let end = b.len() - 4;
        let crc = crc32fast::hash(&b[..end]);
        b[end..].copy_from_slice(&crc.to_le_bytes());
        let err = Index::new(b.as_slice()).err().unwrap();
        assert_eq!(
            err,
            Error::Version {
                oldest: OLDEST_SUPPORTED_VERSION,
                newest: FORMAT_VERSION,
                got: v
            }
        );
        let msg = err.to_string();
        assert!(
            msg.contains("rebuild the index with `chronicle build`"),
            "{msg}"
        );
    }
}
