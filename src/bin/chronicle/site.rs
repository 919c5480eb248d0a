//! `chronicle build --site DIR`: a site's whole search in
//! `DIR/chronicle/` (the index, split when large, and the widget), and
//! the one `<script>` tag for a page at `DIR`'s root.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::files::SPLIT_CORE;
use crate::widget;

/// The folder under the site's root that Chronicle writes.
pub const FOLDER: &str = "chronicle";
/// The single-file index's name in it.
const SINGLE: &str = "events.chron";
/// The split index's folder in it.
const SPLIT: &str = "index";

/// Events' text (titles, bodies, sources, contexts) above which a site
/// gets a split index: about 2 MB of single-file index, some 7,000
/// events. Below it, one file is fewer requests for the same bytes;
/// above it, a first query fetching only what it needs moves far less.
pub const SPLIT_ABOVE_TEXT_BYTES: u64 = 1 << 20;

/// Where a site's index goes.
pub struct Plan {
    /// `DIR/chronicle/`.
    pub folder: PathBuf,
    /// Whether the index is split.
    pub split: bool,
}

impl Plan {
    /// The plan for events holding `text` bytes of text (titles,
    /// bodies, contexts, source names and URLs) in the site at `dir`.
    pub fn new(dir: &Path, text: u64) -> Plan {
        Plan { folder: dir.join(FOLDER), split: text > SPLIT_ABOVE_TEXT_BYTES }
    }

    /// The single-file index's path.
    pub fn single(&self) -> PathBuf {
        self.folder.join(SINGLE)
    }

    /// The split index's directory.
    pub fn split_dir(&self) -> PathBuf {
        self.folder.join(SPLIT)
    }

    /// The index's URL relative to the site's root.
    fn index_url(&self) -> String {
        if self.split {
            format!("{FOLDER}/{SPLIT}/{SPLIT_CORE}")
        } else {
            format!("{FOLDER}/{SINGLE}")
        }
    }

    /// After the index is written: writes the widget beside it, removes
    /// the index of the other kind that an earlier build may have left,
    /// and returns the tag for a page at the site's root.
    pub fn finish(&self) -> Result<String> {
        widget::write(&self.folder)?;
        if self.split {
            let old = self.single();
            if old.is_file() {
                fs::remove_file(&old).with_context(|| {
                    format!("cannot remove {}", old.display())
                })?;
            }
        } else {
            remove_split(&self.split_dir())?;
        }
        // Events' relative URLs are the site's pages, relative to the
        // page at its root.
        Ok(format!(
            "<script src=\"{FOLDER}/chronicle.js\" data-index=\"{}\" \
             data-base-url=\"./\"></script>",
            self.index_url()
        ))
    }
}

/// Removes a split index that Chronicle wrote: its core and chunks, and
/// the directory when that leaves it empty.
fn remove_split(dir: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == SPLIT_CORE
            || name == crate::files::RETIRED
            || crate::files::is_chunk_name(&name)
        {
            fs::remove_file(entry.path()).with_context(|| {
                format!("cannot remove {}", entry.path().display())
            })?;
        }
    }
    let _ = fs::remove_dir(dir);
    Ok(())
}
