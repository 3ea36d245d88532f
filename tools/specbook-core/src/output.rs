//! Where output files go: a [`Sink`] takes each file as soon as it is produced, either into
//! memory ([`MemorySink`], for the preview server and releases) or into a [`Staging`] folder
//! beside the target that is swapped in only when complete, so a failed build leaves the
//! previous output intact and a large site never has to sit in memory whole.

use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Failure injection for tests: after this many successful file writes, the next one fails.
/// `usize::MAX` (the default) never fails. Set by the CLI from `SPECBOOK_FAIL_AFTER_WRITES`.
static FAIL_AFTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(usize::MAX);

/// Makes the write after the next `n` writes fail (`SPECBOOK_FAIL_AFTER_WRITES` in the CLI);
/// `None` turns it off.
pub fn inject_failure_after(n: Option<usize>) {
    FAIL_AFTER.store(n.unwrap_or(usize::MAX), std::sync::atomic::Ordering::SeqCst);
}

/// Counts one file write against the failure injection: an error when this write is the one
/// to fail. Every command that writes calls it before each file.
pub fn injected_failure(path: &Path) -> io::Result<()> {
    use std::sync::atomic::Ordering;
    let left = FAIL_AFTER.load(Ordering::SeqCst);
    if left == 0 {
        return Err(io::Error::other(format!(
            "injected failure writing {}",
            path.display()
        )));
    }
    if left != usize::MAX {
        FAIL_AFTER.store(left - 1, Ordering::SeqCst);
    }
    Ok(())
}

/// Writes one file, honouring the failure injection.
fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    injected_failure(path)?;
    std::fs::write(path, bytes)
}

/// Files to write: path relative to the output folder (with `/`) → bytes. Sorted, so output is deterministic.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Name of the checksum file every output folder ends with.
pub const CHECKSUMS: &str = "SHA256SUMS";

/// The `SHA256SUMS` text (`sha256sum` format) of `(path, digest)` pairs sorted by path. As GNU
/// `sha256sum` does, a line whose file name holds a backslash, newline or carriage return
/// starts with `\` and writes those as `\\`, `\n` and `\r`, so that `sha256sum -c` reads every
/// name back.
fn checksums_text<'a>(sums: impl Iterator<Item = (&'a String, &'a [u8; 32])>) -> Vec<u8> {
    let mut text = String::new();
    for (path, digest) in sums {
        let escaped = path.contains(['\\', '\n', '\r']);
        if escaped {
            text.push('\\');
        }
        text.push_str(&hex::encode(digest));
        text.push_str("  ");
        if escaped {
            for c in path.chars() {
                match c {
                    '\\' => text.push_str("\\\\"),
                    '\n' => text.push_str("\\n"),
                    '\r' => text.push_str("\\r"),
                    c => text.push(c),
                }
            }
        } else {
            text.push_str(path);
        }
        text.push('\n');
    }
    text.into_bytes()
}

/// Adds `SHA256SUMS` listing every file (in `sha256sum` format, sorted by path).
pub fn add_checksums(files: &mut Files) {
    let sums: BTreeMap<String, [u8; 32]> = files
        .iter()
        .map(|(path, bytes)| (path.clone(), Sha256::digest(bytes).into()))
        .collect();
    files.insert(CHECKSUMS.into(), checksums_text(sums.iter()));
}

/// Writes one file's content into the writer it is given.
pub type WriteFn<'a> = &'a mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>;

/// Takes the output files of a build one at a time, from any thread.
pub trait Sink: Sync {
    /// Adds the file at `path` (relative to the output folder, with `/`).
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()>;

    /// Adds the file at `path`, written piece by piece by `write`, so that a large file (the
    /// catalogue of a big spec) never has to be held whole. Returns its size in bytes.
    fn put_with(&self, path: &str, write: WriteFn) -> io::Result<u64>;
}

/// Collects the files in memory.
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<Files>);

impl MemorySink {
    /// The files collected.
    pub fn into_files(self) -> Files {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let mut files = self.0.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(path.to_string(), bytes.to_vec());
        Ok(())
    }

    fn put_with(&self, path: &str, write: WriteFn) -> io::Result<u64> {
        let mut bytes = Vec::new();
        write(&mut bytes)?;
        self.put(path, &bytes)?;
        Ok(bytes.len() as u64)
    }
}

/// A writer that passes bytes on and keeps their SHA-256 and count.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: io::Write> io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An output folder being written: files go into a hidden sibling of the target as they come
/// (checksummed on the way), and [`Staging::commit`] swaps it in. Dropped without a commit, it
/// removes what it wrote and leaves the target untouched.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    /// Folders created so far (relative paths), to skip `create_dir_all` for the next file.
    dirs: Mutex<BTreeSet<String>>,
    sums: Mutex<BTreeMap<String, [u8; 32]>>,
    committed: bool,
}

impl Staging {
    /// Starts writing the folder `out`; nothing at `out` changes until the commit. Refuses an
    /// `out` that the commit must not replace: a file, or a folder with files that specbook did
    /// not write (one without `SHA256SUMS`, which every output folder ends with).
    pub fn begin(out: &Path) -> io::Result<Staging> {
        let out = resolve(out)?;
        replaceable(&out)?;
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(naming(parent))?;
        }
        let tmp = sibling(&out, "new");
        // Named by the folder asked for: the hidden sibling is specbook's business.
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(naming(&out))?;
        }
        std::fs::create_dir(&tmp).map_err(naming(&out))?;
        Ok(Staging {
            out,
            tmp,
            dirs: Mutex::new(BTreeSet::new()),
            sums: Mutex::new(BTreeMap::new()),
            committed: false,
        })
    }

    /// Writes `SHA256SUMS` of every file written (unless one was written already) and swaps
    /// the folder in. Returns the number of files, checksums included.
    pub fn commit(mut self) -> io::Result<usize> {
        let sums = std::mem::take(&mut *self.sums.lock().unwrap_or_else(|e| e.into_inner()));
        let mut count = sums.len();
        if !sums.contains_key(CHECKSUMS) {
            let path = self.tmp.join(CHECKSUMS);
            write_file(&path, &checksums_text(sums.iter()))?;
            count += 1;
        }
        swap_in(&self.tmp, &self.out)?;
        self.committed = true;
        Ok(count)
    }
}

impl Staging {
    /// The path of `rel` inside the staging folder, its parent folders created.
    fn prepare(&self, rel: &str) -> io::Result<PathBuf> {
        if !crate::load::is_contained(rel) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output folder: {rel}"),
            ));
        }
        let path = self.tmp.join(rel);
        if let Some((dir, _)) = rel.rsplit_once('/') {
            let known = self
                .dirs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(dir);
            if !known {
                let folder = self.tmp.join(dir);
                std::fs::create_dir_all(&folder).map_err(naming(&folder))?;
                self.dirs
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(dir.to_string());
            }
        }
        Ok(path)
    }

    fn record(&self, rel: &str, digest: [u8; 32]) {
        self.sums
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string(), digest);
    }
}

impl Sink for Staging {
    fn put(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.prepare(rel)?;
        write_file(&path, bytes)?;
        self.record(rel, Sha256::digest(bytes).into());
        Ok(())
    }

    fn put_with(&self, rel: &str, write: WriteFn) -> io::Result<u64> {
        let path = self.prepare(rel)?;
        injected_failure(&path)?;
        // The buffer is outside the hasher, so that the many small writes of a serialiser
        // reach the hash and the file in large blocks.
        let mut out = io::BufWriter::with_capacity(
            1 << 16,
            Hashing {
                inner: std::fs::File::create(&path).map_err(naming(&path))?,
                hasher: Sha256::new(),
                len: 0,
            },
        );
        write(&mut out)?;
        let hashed = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        self.record(rel, hashed.hasher.finalize().into());
        Ok(hashed.len)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().to_string());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes `files` into `out`, replacing its previous content only when every file was written.
/// The files are written as given: `SHA256SUMS` is added only when `files` has none.
pub fn write_atomically(out: &Path, files: &Files) -> io::Result<()> {
    let staging = Staging::begin(out)?;
    for (rel, bytes) in files {
        staging.put(rel, bytes)?;
    }
    staging.commit().map(drop)
}

/// The folder `out` names, as the file system will find it: its longest existing part made
/// canonical (symbolic links and `..` resolved), the rest appended. A `..` in the rest is
/// refused: lexically it would undo a folder that does not exist yet, while the file system,
/// once that folder is created, resolves it differently (`new/../spec` is `spec`).
pub fn resolve(out: &Path) -> io::Result<PathBuf> {
    let abs = std::path::absolute(out)?;
    let dotdot = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} goes through a folder that does not exist and then `..`: name the output folder without `..` after a new folder",
                out.display()
            ),
        )
    };
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        // A missing path ending in `..` has no file name.
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            return Err(dotdot());
        };
        rest.push(name.to_os_string());
        existing = parent;
    }
    let missing = abs.strip_prefix(existing).unwrap_or(Path::new(""));
    if missing
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(dotdot());
    }
    let mut path = std::fs::canonicalize(existing)?;
    for name in rest.iter().rev() {
        path.push(name);
    }
    Ok(path)
}

/// Whether the commit may replace `out`: it does not exist, or is an empty folder, or a folder
/// with `SHA256SUMS` (an earlier output).
pub fn replaceable(out: &Path) -> io::Result<()> {
    let refuse = |why: String| Err(io::Error::new(io::ErrorKind::AlreadyExists, why));
    let Ok(meta) = std::fs::metadata(out) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return refuse(format!(
            "{} exists and is not a folder: choose a new or empty folder for the output",
            out.display()
        ));
    }
    let empty = std::fs::read_dir(out)?.next().is_none();
    if !empty && !out.join(CHECKSUMS).is_file() {
        return refuse(format!(
            "{} holds files that specbook did not write (it has no {CHECKSUMS}), and the output replaces the whole folder: choose a new or empty folder, or one an earlier build wrote",
            out.display()
        ));
    }
    Ok(())
}

/// Refuses an output folder `out` that a build of the spec in `spec` must not replace: the
/// spec folder or one holding it, a file, or a folder with files specbook did not write (see
/// [`Staging::begin`], which checks the same when it starts). Meant to run before the check,
/// so that a wrong `--out` is reported at once.
pub fn check_output_folder(out: &Path, spec: &Path) -> io::Result<()> {
    let spec = std::fs::canonicalize(spec)?;
    let out = resolve(out)?;
    let refuse = |why: String| Err(io::Error::new(io::ErrorKind::InvalidInput, why));
    if spec.starts_with(&out) {
        return refuse(format!(
            "the output folder {} is the spec folder or holds it, and the output replaces the whole folder: choose a folder outside the spec",
            out.display()
        ));
    }
    if out.starts_with(&spec) {
        return refuse(format!(
            "the output folder {} is inside the spec folder, where a later build would read it (as templates or assets): choose a folder outside the spec",
            out.display()
        ));
    }
    if out.join(crate::release::RELEASE_FILE).is_file() {
        return refuse(format!(
            "{} is a frozen release ({} is there), which is never replaced: choose another folder",
            out.display(),
            crate::release::RELEASE_FILE
        ));
    }
    replaceable(&out)
}

/// An I/O error that names `path` (`out/x: File exists (os error 17)`), of the same kind.
pub fn naming(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Replaces `out` by the complete folder `tmp`, keeping `out` if the swap fails.
fn swap_in(tmp: &Path, out: &Path) -> io::Result<()> {
    let old = sibling(out, "old");
    if out.exists() {
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(naming(&old))?;
        }
        std::fs::rename(out, &old).map_err(naming(out))?;
    }
    if let Err(e) = std::fs::rename(tmp, out) {
        if old.exists() {
            let _ = std::fs::rename(&old, out);
        }
        return Err(naming(out)(e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(naming(&old))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_lines_escape_names_as_gnu_sha256sum_does() {
        let digest = [0u8; 32];
        let zeros = "0".repeat(64);
        let names = ["a b.html".to_string(), "new\nline\\x\r.html".to_string()];
        let text = checksums_text(names.iter().map(|n| (n, &digest)));
        assert_eq!(
            String::from_utf8(text).expect("utf-8"),
            format!("{zeros}  a b.html\n\\{zeros}  new\\nline\\\\x\\r.html\n")
        );
    }
}
