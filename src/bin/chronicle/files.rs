//! Files the command line reads and writes: indexes (single and split)
//! read whole, and writes that never leave a half-written file or
//! replace a good one with a broken one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use chronicle::{format, Index};

/// The core of a split index in its directory.
pub const SPLIT_CORE: &str = "index.chron";

/// Writes a split index into `dir`: the chunks first (their names change
/// with their bytes, so no file a reader may be using is rewritten), then
/// the core atomically, then retires the chunks the new core no longer
/// names: they stay for `grace` after the build that stopped naming them
/// (so a page that loaded the previous core keeps finding its chunks),
/// and a later build removes them ([`retire_chunks`]).
///
/// New chunks are written under temporary names, made durable together
/// by one sync of the file system (a sync per file cost seconds), and
/// only then renamed: so a file under a chunk's name is always complete,
/// and the core never names a chunk that is not on disk.
pub fn write_split(
    dir: &Path,
    s: &format::SplitIndex,
    grace: Duration,
) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    remove_stale_temporaries(dir, |name| {
        name == SPLIT_CORE || is_chunk_name(name)
    });
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let written = (|| -> io::Result<()> {
        // Chunks with the same bytes share a name: written once.
        let mut seen = HashSet::new();
        for (name, bytes) in &s.chunks {
            let path = dir.join(name);
            if !seen.insert(name.as_str())
                || fs::metadata(&path)
                    .is_ok_and(|m| m.len() == bytes.len() as u64)
            {
                continue; // same name and size: same bytes
            }
            let tmp = temporary_name(&path, OsStr::new(name));
            staged.push((tmp.clone(), path));
            File::create(&tmp)?.write_all(bytes)?;
        }
        if !staged.is_empty() {
            sync_file_system(dir, staged.iter().map(|p| p.0.as_path()))?;
            for (tmp, path) in &staged {
                fs::rename(tmp, path)?;
            }
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        for (tmp, _) in &staged {
            let _ = fs::remove_file(tmp);
        }
        return Err(e).with_context(|| {
            format!("cannot write the chunks in {}", dir.display())
        });
    }
    write_atomically(&dir.join(SPLIT_CORE), &s.core)?;
    let keep: HashSet<&str> = s.chunks.iter().map(|c| c.0.as_str()).collect();
    retire_chunks(dir, &keep, grace)
}

/// The split directory's record of retired chunks: one `NAME SECONDS`
/// a line, the Unix time at which a build first stopped naming the
/// chunk.
pub const RETIRED: &str = ".chronicle-retired";

/// How long retired chunks stay unless `--grace-hours` says otherwise.
pub const DEFAULT_GRACE_HOURS: u64 = 48;

/// Removes the chunk files in `dir` that no core has named for `grace`,
/// and records when the others not in `keep` were retired ([`RETIRED`]).
fn retire_chunks(
    dir: &Path,
    keep: &HashSet<&str>,
    grace: Duration,
) -> Result<()> {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let record = dir.join(RETIRED);
    let since: HashMap<String, u64> = fs::read_to_string(&record)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (name, t) = l.split_once(' ')?;
            Some((name.to_owned(), t.parse().ok()?))
        })
        .collect();
    let mut retired = BTreeMap::new();
    for entry in fs::read_dir(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_chunk_name(&name) || keep.contains(name.as_str()) {
            continue;
        }
        let at = since.get(&name).copied().unwrap_or(now).min(now);
        if now - at >= grace.as_secs() {
            let _ = fs::remove_file(entry.path());
        } else {
            retired.insert(name, at);
        }
    }
    if retired.is_empty() {
        match fs::remove_file(&record) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(e).with_context(|| {
                    format!("cannot remove {}", record.display())
                })
            }
            _ => return Ok(()),
        }
    }
    let text: String =
        retired.iter().map(|(name, at)| format!("{name} {at}\n")).collect();
    write_atomically(&record, text.as_bytes())
}

/// Whether `name` is a split index's chunk file (`N-CRC.bin`, or
/// `sK-DIGEST.bin` for a doc-store block).
pub fn is_chunk_name(name: &str) -> bool {
    name.ends_with(".bin")
        && name.split_once('-').is_some_and(|(n, _)| {
            let n = n.strip_prefix('s').unwrap_or(n);
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Makes `files`, all in `dir`, durable: with one `syncfs` of the file
/// system holding `dir` on Linux, elsewhere with a sync of each.
fn sync_file_system<'a>(
    dir: &Path,
    files: impl Iterator<Item = &'a Path>,
) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let _ = files;
        let d = File::open(dir)?;
        // SAFETY: `syncfs` only reads the descriptor, which `d` keeps
        // open for the call.
        if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        for f in files {
            File::open(f)?.sync_all()?;
        }
        Ok(())
    }
}

/// Removes what a build that was killed left in `dir`: temporary files
/// ([`temporary_name`]) for the files `of` accepts, written by a process
/// that is no longer running (on Linux, checked in `/proc`; elsewhere,
/// files an hour old).
fn remove_stale_temporaries(dir: &Path, of: impl Fn(&str) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((target, pid)) = name
            .strip_prefix('.')
            .and_then(|n| n.rsplit_once(".tmp"))
            .filter(|(_, pid)| pid.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if !of(target)
            || pid.is_empty()
            || pid == std::process::id().to_string()
        {
            continue;
        }
        let gone = if cfg!(target_os = "linux") {
            !Path::new("/proc").join(pid).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600)
        };
        if gone {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A name beside `path` for a file on its way there.
pub fn temporary_name(path: &Path, name: &OsStr) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    dir.join(format!(".{}.tmp{}", name.to_string_lossy(), std::process::id()))
}

/// Writes `bytes` next to `path` and renames it into place, so a failed
/// build never leaves a half-written index or destroys the old one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = temporary_name(path, name);
    if let Some(dir) = tmp.parent() {
        remove_stale_temporaries(dir, |n| n == name);
    }
    let written = (|| -> io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e)
            .with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

/// Opens an index file, or a split index by its directory or core (whose
/// chunks are then read from beside it).
pub fn read_index(path: &Path) -> Result<Index<Vec<u8>>> {
    let core = if path.is_dir() { path.join(SPLIT_CORE) } else { path.into() };
    let bytes = fs::read(&core)
        .with_context(|| format!("cannot read {}", core.display()))?;
    let index =
        Index::new(bytes).with_context(|| format!("{}", core.display()))?;
    load_chunks(&index, core.parent().unwrap_or(Path::new(".")), |_, _| {
        Ok(())
    })?;
    // Every chunk is in: reads do what they do on a single file (a typo
    // looked for under every first letter, a word split anywhere).
    index.set_chunks_at_hand(true);
    Ok(index)
}

/// Reads every chunk of a split index from `dir`, shows each to `see`
/// and adds it (which checks its length and CRC against the core).
pub fn load_chunks<D: AsRef<[u8]>>(
    index: &Index<D>,
    dir: &Path,
    mut see: impl FnMut(u32, &[u8]) -> Result<()>,
) -> Result<()> {
    for n in 1..=index.chunk_count() {
        let name = index.chunk_file(n).unwrap_or_default();
        let p = dir.join(&name);
        let bytes = fs::read(&p)
            .with_context(|| format!("cannot read chunk {}", p.display()))?;
        see(n, &bytes)?;
        index
            .add_chunk(n, bytes)
            .with_context(|| format!("chunk {}", p.display()))?;
    }
    Ok(())
}

/// What a path on the command line is to become.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A file written whole (an index, the offline file).
    File,
    /// A directory written into (a split index, a site).
    Dir,
}

/// Checks, before any work, that `path` (given with `flag`) can be
/// written as `kind`: it does not exist yet and its directory does, or
/// it is already of that kind. Anything else (a device, a directory
/// where a file goes, a file where a directory goes) is refused, so it
/// is never replaced.
pub fn check_target(path: &Path, kind: Target, flag: &str) -> Result<()> {
    let shown = path.display();
    match (fs::metadata(path), kind) {
        (Ok(m), Target::File) if m.is_file() => Ok(()),
        (Ok(m), Target::Dir) if m.is_dir() => Ok(()),
        (Ok(m), Target::File) if m.is_dir() => anyhow::bail!(
            "{flag} {shown}: is a directory, not a file; give the path of \
             the file to write (e.g. {})",
            path.join("events.chron").display()
        ),
        (Ok(m), Target::File) => anyhow::bail!(
            "{flag} {shown}: is {}, not a regular file; give the path of \
             the file to write (nothing was written)",
            describe(&m)
        ),
        (Ok(m), Target::Dir) => anyhow::bail!(
            "{flag} {shown}: is {}, not a directory; give a directory to \
             write into (nothing was written)",
            describe(&m)
        ),
        (Err(e), _) if e.kind() == io::ErrorKind::NotFound => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            // A directory target may be created with its parents; a
            // file's directory must be there already.
            if kind == Target::File && !parent.is_dir() {
                anyhow::bail!(
                    "{flag} {shown}: directory {} does not exist; create \
                     it first",
                    parent.display()
                );
            }
            Ok(())
        }
        (Err(e), _) => {
            Err(e).with_context(|| format!("{flag} {shown}: cannot check it"))
        }
    }
}

/// What a file that is not a regular file or a directory is.
fn describe(m: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if m.is_file() {
        "a regular file"
    } else if m.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}
