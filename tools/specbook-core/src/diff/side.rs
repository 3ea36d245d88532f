//! The two sides of a diff: a `catalogue.json` file, a folder (a spec folder, or a built or
//! released folder holding `catalogue.json`), or else a git revision of the current repository
//! whose spec folder is read with [`super::git`] into a temporary folder and checked.

use super::git::{self, GitError};
use super::{Comparison, SideInfo, SideKind, Snapshot};
use crate::catalogue::Catalogue;
use crate::load::{CONFIG_FILE, LoadError};
use crate::pipeline::{self, Checked, Detail, Env};
use std::path::Path;

/// A side, read and checked.
#[derive(Debug)]
pub struct Side {
    /// What it is.
    pub info: SideInfo,
    /// Where its catalogue comes from.
    pub read: Read,
}

/// A side's catalogue: read from a file, or built by checking sources.
#[derive(Debug)]
pub enum Read {
    /// A `catalogue.json` file.
    Catalogue(Box<Catalogue>),
    /// The pipeline's result (its diagnostics are printed too), checked with
    /// [`Detail::Compare`]: neither HTML nor content hashes.
    Checked(Box<Checked>),
}

impl Side {
    /// Its catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        match &self.read {
            Read::Catalogue(c) => c,
            Read::Checked(c) => &c.catalogue,
        }
    }

    /// The pipeline's result, when the side was checked from sources.
    pub fn checked(&self) -> Option<&Checked> {
        match &self.read {
            Read::Catalogue(_) => None,
            Read::Checked(c) => Some(c),
        }
    }
}

/// Compares two sides ([`super::compare`]), then gives each snapshot of a side checked from
/// sources the content hash its published catalogue would have; a catalogue file has its own.
/// Only the reported requirements are hashed, not every requirement of both versions.
pub fn compare_sides(old: &Side, new: &Side) -> Comparison {
    let mut comparison = super::compare(old.catalogue(), new.catalogue());
    let hash = |snapshot: &mut Option<Snapshot>, side: &Side| {
        if let (Some(s), Some(checked)) = (snapshot.as_mut(), side.checked())
            && s.content_hash.is_empty()
        {
            s.content_hash = checked.content_hash(&s.id).unwrap_or_default();
        }
    };
    for change in &mut comparison.changes {
        hash(&mut change.old, old);
        hash(&mut change.new, new);
    }
    comparison
}

/// Why a side could not be read (all are usage or I/O errors, exit 2).
#[derive(Debug)]
pub enum SideError {
    /// The argument names nothing usable.
    Usage(String),
    /// A file could not be read or parsed.
    Io(String),
    /// The spec folder could not be loaded.
    Load(LoadError),
    /// The revision could not be read.
    Git(GitError),
}

impl std::fmt::Display for SideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SideError::Usage(m) | SideError::Io(m) => f.write_str(m),
            SideError::Load(e) => e.fmt(f),
            SideError::Git(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SideError {}

/// Reads a catalogue file.
pub fn read_catalogue(path: &Path) -> Result<Catalogue, SideError> {
    let bytes = std::fs::read(path)
        .map_err(|e| SideError::Io(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        SideError::Io(format!(
            "{} is not a specbook catalogue: {e}",
            path.display()
        ))
    })
}

/// Opens `arg`: an existing path (catalogue file, spec folder, built folder), else a git
/// revision of the repository around `repo_dir`, whose folder `spec_dir` holds the spec.
pub fn open(arg: &str, spec_dir: &str, repo_dir: &Path, env: &Env) -> Result<Side, SideError> {
    let path = Path::new(arg);
    if !arg.is_empty() && path.is_file() {
        let catalogue = read_catalogue(path)?;
        return Ok(Side {
            info: SideInfo::of(arg, SideKind::Catalogue, &catalogue),
            read: Read::Catalogue(Box::new(catalogue)),
        });
    }
    if !arg.is_empty() && path.is_dir() {
        if path.join(CONFIG_FILE).is_file() {
            let checked =
                pipeline::check_with(path, env, Detail::Compare).map_err(SideError::Load)?;
            return Ok(Side {
                info: SideInfo::of(arg, SideKind::Folder, &checked.catalogue),
                read: Read::Checked(Box::new(checked)),
            });
        }
        let file = path.join("catalogue.json");
        if file.is_file() {
            let catalogue = read_catalogue(&file)?;
            return Ok(Side {
                info: SideInfo::of(arg, SideKind::Catalogue, &catalogue),
                read: Read::Catalogue(Box::new(catalogue)),
            });
        }
        return Err(SideError::Usage(format!(
            "{arg} is a folder with neither {CONFIG_FILE} nor catalogue.json"
        )));
    }
    git::validate_revision(arg).map_err(SideError::Git)?;
    let tmp = tempfile::Builder::new()
        .prefix("specbook-diff-")
        .tempdir()
        .map_err(|e| SideError::Io(format!("cannot create a temporary folder: {e}")))?;
    let m = git::materialise(repo_dir, arg, spec_dir, tmp.path()).map_err(SideError::Git)?;
    if !tmp.path().join(CONFIG_FILE).is_file() {
        return Err(SideError::Usage(format!(
            "`{spec_dir}` in revision `{arg}` has no {CONFIG_FILE} (choose the folder with --spec-dir)"
        )));
    }
    let checked =
        pipeline::check_with(tmp.path(), env, Detail::Compare).map_err(SideError::Load)?;
    let mut info = SideInfo::of(arg, SideKind::Git, &checked.catalogue);
    info.commit = Some(m.commit);
    Ok(Side {
        info,
        read: Read::Checked(Box::new(checked)),
    })
}
