//! The library's one error type.

use std::fmt;

/// Everything that can go wrong in the library: reading an index, or
/// (with the `build` feature) turning events into one.
///
/// Messages say what happened and, where there is something to do,
/// what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are shorter than the smallest possible index.
    TooShort {
        /// How many bytes an index needs at least.
        expected: usize,
        /// How many bytes were given.
        got: usize,
    },
    /// The bytes do not start with Chronicle's magic number.
    BadMagic,
    /// The index was written by a format version this build cannot read.
    Version {
        /// The oldest version this build reads.
        oldest: u32,
        /// The newest version this build reads.
        newest: u32,
        /// The version found in the index.
        got: u32,
    },
    /// The checksum over the index does not match its footer.
    ChecksumMismatch {
        /// The CRC32 stored in the footer.
        expected: u32,
        /// The CRC32 computed over the bytes.
        got: u32,
    },
    /// A section is missing, out of bounds or internally inconsistent.
    Corrupt {
        /// Which section (or structure) is damaged.
        section: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    #[cfg(feature = "build")]
    /// An event given to the builder is invalid.
    InvalidEvent {
        /// Which event (its id, or its position when it has none).
        event: String,
        /// What is wrong with it.
        detail: String,
    },
    #[cfg(feature = "build")]
    /// A line of an input file is not a valid event record.
    InvalidRecord {
        /// The file (or `-` for standard input).
        file: String,
        /// The 1-based line number.
        line: u64,
        /// What is wrong with it.
        detail: String,
    },
    #[cfg(feature = "build")]
    /// An input file, folder or standard input cannot be opened.
    CannotOpen {
        /// The path (`-` for standard input).
        file: String,
        /// Why, as the operating system says it.
        detail: String,
    },
    #[cfg(feature = "build")]
    /// An input as a whole cannot be read as events (a read error, a
    /// folder without pages).
    Input {
        /// The path (`-` for standard input).
        file: String,
        /// What is wrong and, where it helps, what to do.
        detail: String,
    },
    #[cfg(feature = "build")]
    /// A record of an input in a shape other than JSON Lines is
    /// invalid; the message says how the input was read, and why.
    InputRecord {
        /// The file (`-` for standard input).
        file: String,
        /// The 1-based line the record starts on.
        line: u64,
        /// The shape the input was read as and why, e.g. `CSV (header:
        /// headline,day,tags)`.
        read_as: String,
        /// What is wrong with the record.
        detail: String,
    },
    #[cfg(feature = "build")]
    /// A field mapping (`--field`, a config file) is invalid.
    Mapping {
        /// Where it was given: `--field SPEC` or `FILE:LINE`.
        origin: String,
        /// What is wrong, and what would be right.
        detail: String,
    },
    #[cfg(feature = "build")]
    /// The builder was given more than the format can hold.
    TooLarge {
        /// What overflowed.
        what: &'static str,
    },
    /// A split index needs a chunk that is not loaded yet; the index's
    /// `take_wanted` lists it. Load it and try again.
    NotLoaded,
}

impl Error {
    pub(crate) fn corrupt(
        section: &'static str,
        detail: impl Into<String>,
    ) -> Error {
        Error::Corrupt { section, detail: detail.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooShort { expected, got } => write!(
                f,
                "not a Chronicle index: {got} bytes, an index has at least \
                 {expected}"
            ),
            Error::BadMagic => write!(
                f,
                "not a Chronicle index: the magic number is missing (is \
                 this the right file?)"
            ),
            Error::Version { oldest, newest, got } => write!(
                f,
                "index format {got}; this build reads {oldest}..={newest}: \
                 rebuild the index with `chronicle build`, or use a \
                 matching Chronicle"
            ),
            Error::ChecksumMismatch { expected, got } => write!(
                f,
                "index checksum mismatch (footer {expected:#010x}, \
                 computed {got:#010x}): the file is damaged or truncated; \
                 download or build it again"
            ),
            Error::Corrupt { section, detail } => {
                write!(f, "corrupt index: section {section}: {detail}")
            }
            #[cfg(feature = "build")]
            Error::InvalidEvent { event, detail } => {
                write!(f, "invalid event {event}: {detail}")
            }
            #[cfg(feature = "build")]
            Error::InvalidRecord { file, line, detail } => {
                write!(f, "{file}:{line}: {detail}")
            }
            #[cfg(feature = "build")]
            Error::CannotOpen { file, detail } => {
                write!(f, "cannot open {file}: {detail}")
            }
            #[cfg(feature = "build")]
            Error::Input { file, detail } => write!(f, "{file}: {detail}"),
            #[cfg(feature = "build")]
            Error::InputRecord { file, line, read_as, detail } => {
                write!(f, "{file}:{line}: read as {read_as}: {detail}")
            }
            #[cfg(feature = "build")]
            Error::Mapping { origin, detail } => {
                write!(f, "{origin}: {detail}")
            }
            #[cfg(feature = "build")]
            Error::TooLarge { what } => {
                write!(f, "too large for the index format: {what}")
            }
            Error::NotLoaded => {
                write!(f, "a chunk of the split index is not loaded yet")
            }
        }
    }
}

impl std::error::Error for Error {}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
