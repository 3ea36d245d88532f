//! `parse-floor`: the least work any Markdown tool does on a spec — read every chapter file
//! (`*.md` at the top of each folder given) and parse it once with pulldown-cmark 0.13, with
//! the options specbook uses, into events and then HTML. Nothing else: one thread, no model.

use pulldown_cmark::{Event, Options, Parser, html};
use std::path::{Path, PathBuf};

/// The options `specbook-core`'s parser uses, plus metadata blocks so front matter is skipped.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// The chapter files of a spec folder, sorted.
pub(crate) fn chapters(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// What the floor did, so that none of it can be optimised away.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) files: usize,
    pub(crate) bytes: usize,
    pub(crate) events: usize,
    pub(crate) html_bytes: usize,
}

/// Reads and parses every chapter of every folder in `dirs`.
pub(crate) fn run(dirs: &[PathBuf]) -> Result<Totals, String> {
    let mut totals = Totals::default();
    let mut out = String::new();
    for dir in dirs {
        for path in chapters(dir)? {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let events: Vec<Event<'_>> = Parser::new_ext(&text, options()).collect();
            totals.events += events.len();
            out.clear();
            html::push_html(&mut out, events.into_iter());
            totals.files += 1;
            totals.bytes += text.len();
            totals.html_bytes += out.len();
        }
    }
    Ok(totals)
}
