//! Printing diagnostics to the terminal (human, coloured when stderr is a terminal) or as JSON on stdout.

use crate::{DiagArgs, DiagFormat};
use specbook_core::diag::DiagnosticCounts;
use specbook_core::pipeline::Checked;
use specbook_core::{diag_github, diag_render, diag_sarif};
use std::io::{IsTerminal, Write};

/// Prints every diagnostic and the summary line.
pub(crate) fn print(checked: &Checked, args: &DiagArgs) {
    let sources = &checked.loaded.sources;
    match args.format {
        DiagFormat::Human => {
            let styled = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut err = std::io::stderr().lock();
            for d in &checked.diagnostics {
                let _ = writeln!(err, "{}\n", diag_render::human(d, sources, styled));
            }
            let _ = writeln!(
                err,
                "{}",
                diag_render::summary(&DiagnosticCounts::of(&checked.diagnostics))
            );
        }
        DiagFormat::Sarif => {
            let log = diag_sarif::sarif(
                &checked.diagnostics,
                sources,
                &root_prefix(checked),
                env!("CARGO_PKG_VERSION"),
            );
            println!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
        }
        DiagFormat::Github => print!(
            "{}",
            diag_github::github(&checked.diagnostics, sources, &root_prefix(checked))
        ),
        DiagFormat::Json => {
            let report = diag_render::json(&checked.diagnostics, sources);
            let json = serde_json::to_string_pretty(&report).unwrap_or_default();
            println!("{json}");
        }
    }
}

/// The spec folder as given on the command line, as a prefix for repository-relative paths.
fn root_prefix(checked: &Checked) -> String {
    let root = checked.loaded.root.to_string_lossy().replace('\\', "/");
    let root = root.trim_start_matches("./").trim_end_matches('/');
    if root.is_empty() || root == "." {
        String::new()
    } else {
        format!("{root}/")
    }
}
