//! Printing diagnostics to the terminal (human, coloured when stderr is a terminal) or as JSON on stdout.

use crate::{DiagArgs, DiagFormat};
use specbook_core::diag::DiagnosticCounts;
use specbook_core::diag_render;
use specbook_core::pipeline::Checked;
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
        DiagFormat::Json => {
            let report = diag_render::json(&checked.diagnostics, sources);
            let json = serde_json::to_string_pretty(&report).unwrap_or_default();
            println!("{json}");
        }
    }
}
