//! Writing an output folder atomically: everything is written into a temporary folder beside
//! the target and swapped in only when complete, so a failed build leaves the previous output intact.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

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
            std::fs::write(&path, bytes)?;
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
