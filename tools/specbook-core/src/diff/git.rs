//! Reading a spec folder out of a git revision with `gix`, read-only: open → rev-parse → tree →
//! blobs, written into a folder of ours. Never a checkout, a fetch or a ref update; symbolic
//! links and submodules are skipped; names that could leave the folder are refused.

use std::path::{Component, Path};

/// Most files materialised from one revision.
const MAX_FILES: usize = 100_000;
/// Most bytes materialised from one revision.
const MAX_BYTES: u64 = 1 << 30;
/// Deepest folder nesting followed.
const MAX_DEPTH: usize = 32;

/// Why a revision could not be read.
#[derive(Debug)]
pub enum GitError {
    /// The revision or folder name is not acceptable (a usage error).
    Invalid(String),
    /// Git could not resolve or read it.
    Git(String),
    /// Writing the files failed.
    Io(std::io::Error),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Invalid(m) | GitError::Git(m) => f.write_str(m),
            GitError::Io(e) => write!(f, "cannot write the revision's files: {e}"),
        }
    }
}

impl std::error::Error for GitError {}

/// Rejects revisions that could be taken for options or smuggle control characters: a leading
/// `-`, control characters, white space, `..` ranges, and anything longer than 256 bytes.
pub fn validate_revision(rev: &str) -> Result<(), GitError> {
    let bad = |why: &str| {
        Err(GitError::Invalid(format!(
            "refusing revision {rev:?}: {why}"
        )))
    };
    if rev.is_empty() {
        return bad("it is empty");
    }
    if rev.starts_with('-') {
        return bad("it starts with `-`");
    }
    if rev.chars().any(|c| c.is_control()) {
        return bad("it contains control characters");
    }
    if rev.chars().any(char::is_whitespace) {
        return bad("it contains white space");
    }
    if rev.contains("..") {
        return bad("ranges (`..`) are not revisions; give each side on its own");
    }
    if rev.len() > 256 {
        return bad("it is longer than 256 bytes");
    }
    Ok(())
}

/// Checks a folder path inside the revision: relative, with no `..`.
pub fn validate_folder(dir: &str) -> Result<(), GitError> {
    let ok = !dir.is_empty()
        && !dir.chars().any(|c| c.is_control())
        && Path::new(dir)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if ok {
        Ok(())
    } else {
        Err(GitError::Invalid(format!(
            "refusing spec folder {dir:?}: it must be a relative path inside the repository, without `..`"
        )))
    }
}

fn valid_name(name: &[u8]) -> Option<&str> {
    let name = std::str::from_utf8(name).ok()?;
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.eq_ignore_ascii_case(".git")
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control);
    (!bad).then_some(name)
}

/// What was read.
#[derive(Debug, Clone)]
pub struct Materialised {
    /// The commit (or object) the revision resolved to, in hex.
    pub commit: String,
    /// Files written.
    pub files: usize,
}

/// Resolves `rev` in the repository containing `repo_dir` and writes the files under `folder`
/// (a path from the repository root) into `dest`, which must exist and be empty.
pub fn materialise(
    repo_dir: &Path,
    rev: &str,
    folder: &str,
    dest: &Path,
) -> Result<Materialised, GitError> {
    validate_revision(rev)?;
    validate_folder(folder)?;
    let git = |what: &str, e: &dyn std::fmt::Display| GitError::Git(format!("{what}: {e}"));
    let repo = gix::discover(repo_dir).map_err(|e| {
        git(
            &format!("{} is not inside a git repository", repo_dir.display()),
            &e,
        )
    })?;
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| git(&format!("cannot resolve revision `{rev}`"), &e))?;
    let object = id
        .object()
        .map_err(|e| git(&format!("cannot read `{rev}`"), &e))?;
    let commit = match object.clone().peel_to_commit() {
        Ok(c) => c.id.to_string(),
        Err(_) => id.to_string(),
    };
    let root = object
        .peel_to_tree()
        .map_err(|e| git(&format!("`{rev}` has no tree"), &e))?;
    let normalised: Vec<&str> = Path::new(folder)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let tree = if normalised.is_empty() {
        root
    } else {
        let entry = root
            .lookup_entry(normalised.iter().copied())
            .map_err(|e| git(&format!("cannot look up `{folder}` in `{rev}`"), &e))?
            .ok_or_else(|| GitError::Git(format!("revision `{rev}` has no folder `{folder}`")))?;
        if !entry.mode().is_tree() {
            return Err(GitError::Git(format!(
                "`{folder}` is not a folder in revision `{rev}`"
            )));
        }
        entry
            .object()
            .and_then(|o| o.try_into_tree())
            .map_err(|e| git(&format!("cannot read `{folder}` in `{rev}`"), &e))?
    };
    let mut budget = Budget { files: 0, bytes: 0 };
    write_tree(&tree, dest, 0, &mut budget)?;
    Ok(Materialised {
        commit,
        files: budget.files,
    })
}

struct Budget {
    files: usize,
    bytes: u64,
}

fn write_tree(
    tree: &gix::Tree<'_>,
    dest: &Path,
    depth: usize,
    budget: &mut Budget,
) -> Result<(), GitError> {
    use gix::object::tree::EntryKind;
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let err = |e: &dyn std::fmt::Display| GitError::Git(format!("cannot read a tree: {e}"));
    for entry in tree.iter() {
        let entry = entry.map_err(|e| err(&e))?;
        let Some(name) = valid_name(entry.filename()) else {
            continue;
        };
        let path = dest.join(name);
        match entry.kind() {
            EntryKind::Tree => {
                let sub = entry
                    .object()
                    .and_then(|o| o.try_into_tree())
                    .map_err(|e| err(&e))?;
                std::fs::create_dir(&path).map_err(GitError::Io)?;
                write_tree(&sub, &path, depth + 1, budget)?;
            }
            EntryKind::Blob | EntryKind::BlobExecutable => {
                let object = entry.object().map_err(|e| err(&e))?;
                budget.files += 1;
                budget.bytes += object.data.len() as u64;
                if budget.files > MAX_FILES || budget.bytes > MAX_BYTES {
                    return Err(GitError::Git(format!(
                        "the spec folder of the revision is too large (more than {MAX_FILES} files or {MAX_BYTES} bytes)"
                    )));
                }
                std::fs::write(&path, &object.data).map_err(GitError::Io)?;
            }
            // Symbolic links are never followed or recreated; submodules are not specs.
            EntryKind::Link | EntryKind::Commit => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_option_like_and_control_revisions() {
        assert!(validate_revision("HEAD~1").is_ok());
        assert!(validate_revision("v0.1.0").is_ok());
        assert!(validate_revision("a1b2c3d").is_ok());
        for bad in [
            "",
            "-x",
            "--output=/tmp/x",
            "HEAD\n",
            "a\u{1b}[31m",
            "main..HEAD",
            "a b",
        ] {
            assert!(validate_revision(bad).is_err(), "{bad:?}");
        }
        assert!(validate_folder("spec").is_ok());
        assert!(validate_folder("docs/spec").is_ok());
        assert!(validate_folder("../spec").is_err());
        assert!(validate_folder("/etc").is_err());
    }

    #[test]
    fn names_that_leave_the_folder_are_skipped() {
        assert_eq!(valid_name(b"a.md"), Some("a.md"));
        for bad in [&b".."[..], b".", b"", b"a/b", b"a\\b", b".GIT", b"\xff"] {
            assert_eq!(valid_name(bad), None);
        }
    }
}
