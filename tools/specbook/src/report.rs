//! Printing diagnostics to the terminal (human, coloured when stderr is a terminal) or as JSON on stdout.

use crate::{DiagArgs, DiagFormat};
use specbook_core::diag::{Diagnostic, DiagnosticCounts};
use specbook_core::pipeline::Checked;
use specbook_core::source::SourceMap;
use specbook_core::{diag_github, diag_render, diag_sarif};
use std::io::{IsTerminal, Write};

/// Prints every diagnostic of a checked spec and the summary line.
pub(crate) fn print(checked: &Checked, args: &DiagArgs) {
    print_diagnostics(
        &checked.diagnostics,
        &checked.loaded.sources,
        &root_prefix(checked),
        args,
    );
}

/// Prints `diagnostics` in the requested format; `root` prefixes paths in SARIF and GitHub output.
pub(crate) fn print_diagnostics(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    root: &str,
    args: &DiagArgs,
) {
    match args.format {
        DiagFormat::Human => {
            let styled = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut err = std::io::stderr().lock();
            for d in diagnostics {
                let _ = writeln!(err, "{}\n", diag_render::human(d, sources, styled));
            }
            let _ = writeln!(
                err,
                "{}",
                diag_render::summary(&DiagnosticCounts::of(diagnostics))
            );
        }
        DiagFormat::Sarif => {
            let log = diag_sarif::sarif(diagnostics, sources, root, env!("CARGO_PKG_VERSION"));
            println!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
        }
        DiagFormat::Github => print!("{}", diag_github::github(diagnostics, sources, root)),
        DiagFormat::Json => {
            let report = diag_render::json(diagnostics, sources);
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
    }
}

/// The spec folder as given on the command line, as a prefix for repository-relative paths.
pub(crate) fn root_prefix(checked: &Checked) -> String {
    let root = checked.loaded.root.to_string_lossy().replace('\\', "/");
    let root = root.trim_start_matches("./").trim_end_matches('/');
    if root.is_empty() || root == "." {
        String::new()
    } else {
        format!("{root}/")
    }
}
