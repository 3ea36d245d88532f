//! Writing an output folder atomically: everything is written into a temporary folder beside
//! the target and swapped in only when complete, so a failed build leaves the previous output intact.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Failure injection for tests: after this many successful file writes, the next one fails.
/// `usize::MAX` (the default) never fails. Set by the CLI from `SPECBOOK_FAIL_AFTER_WRITES`.
static FAIL_AFTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(usize::MAX);

/// Makes the write after the next `n` writes fail (see [`FAIL_AFTER`]); `None` turns it off.
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

/// Replaces the files `path → bytes` (absolute or relative paths) all or nothing: each is written
/// to a temporary sibling first, and the renames happen only when every write succeeded.
pub fn replace_files(files: &[(PathBuf, Vec<u8>)]) -> io::Result<()> {
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (path, bytes) in files {
        let name = path
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().to_string());
        let tmp = path.with_file_name(format!(".{name}.new-{}", std::process::id()));
        if let Err(e) = write_file(&tmp, bytes) {
            let _ = std::fs::remove_file(&tmp);
            for (t, _) in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err(e);
        }
        written.push((tmp, path.clone()));
    }
    for (tmp, path) in &written {
        std::fs::rename(tmp, path)?;
    }
    Ok(())
}

/// Files to write: path relative to the output folder (with `/`) → bytes. Sorted, so output is deterministic.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Adds `SHA256SUMS` listing every file (in `sha256sum` format, sorted by path).
pub fn add_checksums(files: &mut Files) {
    let mut sums = String::new();
    for (path, bytes) in files.iter() {
        sums.push_str(&format!("{}  {path}\n", hex::encode(Sha256::digest(bytes))));
    }
    files.insert("SHA256SUMS".into(), sums.into_bytes());
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().to_string());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes `files` into `out`, replacing its previous content only when every file was written.
pub fn write_atomically(out: &Path, files: &Files) -> io::Result<()> {
    let out = if out.is_relative() {
        std::env::current_dir()?.join(out)
    } else {
        out.to_path_buf()
    };
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = sibling(&out, "new");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    let result = (|| {
        for (rel, bytes) in files {
            if !crate::load::is_contained(rel) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("refusing to write outside the output folder: {rel}"),
                ));
            }
            let path = tmp.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p)?;
            }
            write_file(&path, bytes)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = sibling(&out, "old");
    if out.exists() {
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        std::fs::rename(&out, &old)?;
    }
    if let Err(e) = std::fs::rename(&tmp, &out) {
        if old.exists() {
            let _ = std::fs::rename(&old, &out);
        }
        return Err(e);
    }
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}
