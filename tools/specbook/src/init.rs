//! `specbook init`: writes the scaffold of a new spec folder (from `specbook_core::scaffold`),
//! refusing to overwrite anything: when any of its files exists, nothing is written.

use specbook_core::scaffold;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `specbook init`.
#[derive(clap::Args, Debug)]
pub(crate) struct InitArgs {
    /// The folder to create the spec in (created when missing).
    #[arg(default_value = "spec")]
    dir: PathBuf,
    /// Title of the specification.
    #[arg(long, default_value = scaffold::DEFAULT_TITLE)]
    title: String,
}

/// Runs `init`.
pub(crate) fn run(args: &InitArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let dir = &args.dir;
    if args.title.trim().is_empty() {
        eprintln!("error: --title must hold more than white space; nothing was written");
        return Ok(ExitCode::from(2));
    }
    if dir.symlink_metadata().is_ok() && !dir.is_dir() {
        eprintln!(
            "error: {} exists and is not a folder; nothing was written",
            dir.display()
        );
        return Ok(ExitCode::from(2));
    }
    let files = scaffold::files(&args.title);
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() {
        eprintln!("error: refusing to overwrite existing files; nothing was written:");
        for p in &existing {
            eprintln!("  {}", p.display());
        }
        return Ok(ExitCode::from(2));
    }
    let mut created_files: Vec<PathBuf> = Vec::new();
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let result = write_all(dir, &files, &mut created_files, &mut created_dirs);
    if let Err(e) = result {
        // All or nothing: take back what this run created.
        for f in created_files.iter().rev() {
            let _ = std::fs::remove_file(f);
        }
        for d in created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        eprintln!("error: {e}; nothing was written");
        return Ok(ExitCode::from(2));
    }
    eprintln!("created the spec folder {}:", dir.display());
    for (rel, _) in &files {
        eprintln!("  {rel}");
    }
    eprintln!(
        "next: `specbook check {0}`, or `specbook serve {0}` to preview it while you write",
        shell_word(&dir.to_string_lossy())
    );
    Ok(ExitCode::SUCCESS)
}

/// `path` as one word of a POSIX shell command line: as it is when that is safe, else in single
/// quotes, so the suggested commands can be pasted.
fn shell_word(path: &str) -> String {
    let plain = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%".contains(c));
    if plain {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

fn write_all(
    dir: &Path,
    files: &[(&str, String)],
    created_files: &mut Vec<PathBuf>,
    created_dirs: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            create_dirs(parent, created_dirs)?;
        }
        specbook_core::output::injected_failure(&path)?;
        // `create_new` fails if the file appeared since the check: never overwrite.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(specbook_core::output::naming(&path))?;
        created_files.push(path.clone());
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    Ok(())
}

/// Creates `dir` and its missing ancestors, recording each one created.
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, created)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {
            created.push(dir.to_path_buf());
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(specbook_core::output::naming(dir)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn suggested_paths_paste_as_one_word() {
        assert_eq!(shell_word("spec"), "spec");
        assert_eq!(shell_word("docs/spec-1.0"), "docs/spec-1.0");
        assert_eq!(shell_word("with space/ünï"), "'with space/ünï'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(rm -rf x)"), "'$(rm -rf x)'");
    }
}
