//! `specbook diff OLD NEW`: reads both sides (git revision, spec folder or catalogue), compares
//! them, prints the chosen format on stdout and maps the outcome to an exit code.

use clap::ValueEnum;
use specbook_core::diag::Severity;
use specbook_core::diag_render;
use specbook_core::diff::side::{self, Side};
use specbook_core::diff::{self, DiffReport, Lens, ProblemCode, StrengthLens};
use specbook_core::pipeline::Env;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Output formats of `specbook diff`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum DiffFormat {
    /// For a terminal (coloured only when stdout is one and NO_COLOR is unset).
    Text,
    /// For a pull-request comment.
    Markdown,
    /// schema/diff.schema.json.
    Json,
    /// A standalone page with inline and side-by-side views.
    Html,
}

/// A value of `--strength`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum StrengthArg {
    /// MUST on either side.
    Must,
    /// SHOULD on either side.
    Should,
    /// MAY on either side.
    May,
    /// No keyword on either side.
    None,
    /// Strengthened (e.g. SHOULD → MUST).
    Strengthened,
    /// Weakened (e.g. MUST → MAY).
    Weakened,
    /// Strengthened or weakened.
    Changed,
}

/// Arguments of `specbook diff`.
#[derive(clap::Args, Debug)]
pub(crate) struct DiffArgs {
    /// The older side: a spec folder, a catalogue.json (or a built or released folder holding
    /// one), or else a git revision of the current repository. An existing path wins over a
    /// revision of the same name.
    old: String,
    /// The newer side (same forms).
    new: String,
    /// The spec folder inside a git revision, from the repository root.
    #[arg(long, default_value = "spec")]
    spec_dir: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Only requirements citing a document of this organisation (repeatable).
    #[arg(long, value_name = "ORG")]
    foundation: Vec<String>,
    /// Only requirements mapped to this framework item or id prefix; alone: to any item (repeatable).
    #[arg(long, value_name = "ITEM", num_args = 0..=1, default_missing_value = "*")]
    cra: Vec<String>,
    /// Only requirements in this chapter (slug, slug prefix such as 04, or title; repeatable).
    #[arg(long, value_name = "CHAPTER")]
    chapter: Vec<String>,
    /// Only requirements of this strength, or changes of strength (repeatable).
    #[arg(long, value_enum, value_name = "STRENGTH")]
    strength: Vec<StrengthArg>,
}

fn open(arg: &str, spec_dir: &str, env: &Env) -> Result<Side, Box<dyn std::error::Error>> {
    let cwd = std::env::current_dir()?;
    Ok(side::open(arg, spec_dir, &cwd, env)?)
}

fn print_errors(name: &str, side: &Side) {
    let Some(checked) = side.checked() else {
        return;
    };
    let styled = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut err = std::io::stderr().lock();
    for d in checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
    {
        let _ = writeln!(
            err,
            "{name} side ({}):\n{}\n",
            side.info.label,
            diag_render::human(d, &checked.loaded.sources, styled)
        );
    }
}

/// Runs `diff`.
pub(crate) fn run(args: &DiffArgs, env: &Env) -> Result<ExitCode, Box<dyn std::error::Error>> {
    // The two sides are independent (each a whole check when it is a folder or revision).
    let (old, new) = std::thread::scope(|scope| {
        let old = scope.spawn(|| open(&args.old, &args.spec_dir, env).map_err(|e| e.to_string()));
        let new = open(&args.new, &args.spec_dir, env).map_err(|e| e.to_string());
        let old = old
            .join()
            .unwrap_or_else(|_| Err("reading the old side failed".to_string()));
        (old, new)
    });
    let (old, new) = (old?, new?);
    print_errors("old", &old);
    print_errors("new", &new);
    let lens = Lens {
        foundation: args.foundation.clone(),
        cra: args.cra.clone(),
        chapter: args.chapter.clone(),
        strength: args
            .strength
            .iter()
            .map(|s| match s {
                StrengthArg::Must => StrengthLens::Must,
                StrengthArg::Should => StrengthLens::Should,
                StrengthArg::May => StrengthLens::May,
                StrengthArg::None => StrengthLens::None,
                StrengthArg::Strengthened => StrengthLens::Strengthened,
                StrengthArg::Weakened => StrengthLens::Weakened,
                StrengthArg::Changed => StrengthLens::Changed,
            })
            .collect(),
    };
    let report = DiffReport::new(
        old.info.clone(),
        new.info.clone(),
        side::compare_sides(&old, &new),
        lens,
    );
    let out = match args.format {
        DiffFormat::Text => {
            let styled = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            diff::text::render(&report, styled)
        }
        DiffFormat::Markdown => diff::markdown::render(&report),
        DiffFormat::Json => report.to_json(),
        DiffFormat::Html => diff::html::render(&report, &diff::html::Links::default()),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    let failed = report.failed();
    // Both sides are done with; the process exits next (see `build::leak_at_exit`).
    std::mem::forget((old, new));
    if failed {
        if args.format != DiffFormat::Text {
            for p in &report.problems {
                eprintln!("error: {}\n  help: {}", p.message, p.help);
            }
        }
        let lost = report
            .problems
            .iter()
            .filter(|p| p.code != ProblemCode::SpecErrors)
            .count();
        let mut why = Vec::new();
        if lost > 0 {
            why.push(format!(
                "{lost} requirement ID{} removed without a tombstone or renamed without `replaces`",
                if lost == 1 { "" } else { "s" }
            ));
        }
        if report.old.errors + report.new.errors > 0 {
            why.push("a side has spec errors".to_string());
        }
        eprintln!("diff failed: {}", why.join("; "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
