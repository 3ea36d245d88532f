//! `specbook ids`: runs `specbook_core::ids::assign` on a spec folder, prints the changes, and
//! with `--assign` writes the changed chapters all or nothing (each through a temporary file
//! renamed into place, after checking that no file changed on disk meanwhile).

use crate::report;
use specbook_core::diag::{Code, Diagnostic};
use specbook_core::ids::{self, ChangeKind, Input, Options};
use specbook_core::load::BOM;
use specbook_core::pipeline::{self, Env};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `specbook ids`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["assign", "check"])))]
pub(crate) struct IdsArgs {
    /// The spec folder (holding specbook.toml).
    #[arg(default_value = "spec")]
    dir: PathBuf,
    /// Insert the IDs into the chapter files.
    #[arg(long)]
    assign: bool,
    /// Only list what `--assign` would change; exit 1 when anything would.
    #[arg(long)]
    check: bool,
    /// First part of new IDs (default: the spec id, upper-cased). Chapters that already have
    /// IDs continue their own numbering.
    #[arg(long)]
    prefix: Option<String>,
}

/// Problems that make any new ID untrustworthy: the config could not be read (its `id` and
/// `id_pattern` would be the defaults), or a chapter could not be read (its IDs would be unseen).
const BLOCKING: &[Code] = &[
    Code::Io,
    Code::NotUtf8,
    Code::TooLarge,
    Code::OutsideRoot,
    Code::TooDeep,
    Code::ConfigInvalid,
];

/// Runs `ids`.
pub(crate) fn run(args: &IdsArgs, env: &Env) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let checked = pipeline::check_with(&args.dir, env, pipeline::Detail::Diagnose)?;
    // New IDs follow the config (`id`, `id_pattern`) and must not collide with any ID of any
    // chapter: with the config unread or a chapter unreadable, they would be wrong forever.
    let blocking: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| BLOCKING.contains(&d.code))
        .cloned()
        .collect();
    if !blocking.is_empty() {
        report::print_diagnostics(
            &blocking,
            &checked.loaded.sources,
            "",
            &crate::DiagArgs {
                format: crate::DiagFormat::Human,
                deny_warnings: false,
            },
        );
        eprintln!(
            "no IDs were {}: fix the config and the chapters above first, because IDs are permanent",
            if args.assign { "assigned" } else { "proposed" }
        );
        return Ok(ExitCode::from(1));
    }
    let loaded = &checked.loaded;
    let inputs: Vec<Input> = loaded
        .chapters
        .iter()
        .map(|&f| {
            let s = loaded.sources.get(f);
            Input {
                path: s.path.clone(),
                text: s.text.clone(),
            }
        })
        .collect();
    let options = Options {
        prefix: args.prefix.clone(),
    };
    let result = ids::assign(&loaded.config, &inputs, &options)?;

    let mut out = std::io::stdout().lock();
    for c in &result.changes {
        let what = match c.kind {
            ChangeKind::HeadingId => format!("add {{#{}}} to the heading \"{}\"", c.id, c.title),
            ChangeKind::NewHeading => {
                format!(
                    "insert the heading \"{}\"",
                    c.inserted.trim().replace(['\r', '\n'], " ")
                )
            }
        };
        writeln!(out, "{}:{}:{}: {what}", c.path, c.line, c.column)?;
        for s in &c.statements {
            writeln!(out, "    {}", excerpt(s))?;
        }
        for a in &c.absorbed {
            writeln!(out, "    also (no BCP 14 keyword): {}", excerpt(a))?;
        }
    }
    let absorbed: usize = result.changes.iter().map(|c| c.absorbed.len()).sum();
    if absorbed > 0 {
        eprintln!(
            "note: {absorbed} paragraph(s) without a BCP 14 keyword, listed with `also`, become part of a requirement's statement; if one is informative, start it with `Rationale:` or put a heading before it"
        );
    }
    for s in &result.skipped {
        eprintln!(
            "note: {}:{}:{}: left without an ID: {}\n  {}",
            s.path,
            s.line,
            s.column,
            s.reason,
            excerpt(&s.statement)
        );
    }
    let n = result.changes.len();
    let files = result.texts.len();
    if args.check {
        if n == 0 {
            eprintln!(
                "{}; nothing to change",
                nothing_to_add(result.skipped.len())
            );
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("`specbook ids --assign` would add {n} ID(s) in {files} file(s)");
        return Ok(ExitCode::from(1));
    }
    if n == 0 {
        eprintln!("{}; nothing changed", nothing_to_add(result.skipped.len()));
        return Ok(ExitCode::SUCCESS);
    }
    let originals: Vec<(&str, &str)> = inputs
        .iter()
        .filter(|i| result.texts.contains_key(&i.path))
        .map(|i| (i.path.as_str(), i.text.as_str()))
        .collect();
    write_all(&args.dir, &originals, &result.texts)?;
    eprintln!("added {n} requirement ID(s) in {files} file(s)");
    Ok(ExitCode::SUCCESS)
}

/// What to say when no ID is to be added, `skipped` statements having been left without one.
fn nothing_to_add(skipped: usize) -> String {
    match skipped {
        0 => "every normative statement has an ID".into(),
        n => format!(
            "{n} normative statement(s) stay without an ID (see the notes above), and no other needs one"
        ),
    }
}

fn excerpt(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > 100 {
        format!("{}…", clean.chars().take(99).collect::<String>())
    } else {
        clean
    }
}

/// Replaces each chapter with its new text: every temporary file is written first, then all are
/// renamed into place, so either every file changes or (on any failure before the renames) none.
fn write_all(
    root: &Path,
    originals: &[(&str, &str)],
    texts: &std::collections::BTreeMap<String, String>,
) -> std::io::Result<()> {
    let canon = root.canonicalize()?;
    let mut staged = Vec::new();
    let mut targets: std::collections::BTreeMap<PathBuf, &str> = std::collections::BTreeMap::new();
    for (rel, original) in originals {
        let Some(new) = texts.get(*rel) else { continue };
        // Write through symlinks (inside the folder) rather than replacing them.
        let target = canon.join(rel).canonicalize()?;
        if !target.starts_with(&canon) {
            return Err(std::io::Error::other(format!(
                "{rel} resolves outside the spec folder"
            )));
        }
        if let Some(first) = targets.insert(target.clone(), rel) {
            return Err(std::io::Error::other(format!(
                "{first} and {rel} are the same file (a symbolic link); nothing was written: remove the link, or list only one of them in `chapters`"
            )));
        }
        let current = std::fs::read(&target)?;
        // The loader drops a byte-order mark; the file keeps it.
        let bom = current.starts_with(BOM) && current[BOM.len()..] == *original.as_bytes();
        if !bom && current != original.as_bytes() {
            return Err(std::io::Error::other(format!(
                "{rel} changed on disk while IDs were being assigned; nothing was written, run the command again"
            )));
        }
        let dir = target.parent().unwrap_or(&canon);
        let mut tmp = tempfile::Builder::new()
            .prefix(".specbook-ids-")
            .tempfile_in(dir)?;
        specbook_core::output::injected_failure(&target)?;
        if bom {
            tmp.write_all(BOM)?;
        }
        tmp.write_all(new.as_bytes())?;
        tmp.as_file().sync_all()?;
        let perms = std::fs::metadata(&target)?.permissions();
        std::fs::set_permissions(tmp.path(), perms)?;
        staged.push((tmp, target));
    }
    // Dropping `staged` on an error above removes every temporary file.
    for (tmp, target) in staged {
        tmp.persist(&target).map_err(|e| e.error)?;
    }
    Ok(())
}
