//! Fuzzes the chapter parser and the Markdown → HTML renderer on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use specbook_core::config::Config;
use specbook_core::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = Config::minimal("fuzz", "1");
    let pattern = regex::Regex::new(specbook_core::config::DEFAULT_ID_PATTERN).expect("pattern");
    let validator = specbook_core::toml_json::compile(&specbook_core::meta::base_schema()).expect("schema");
    let file = SourceFile::new("fuzz.md", text);
    let (chapter, diags) = specbook_core::parse::parse_chapter(FileId(0), &file, &config, &pattern, &validator);
    for r in &chapter.requirements {
        assert!(r.statement_span.end <= text.len() && r.body_span.start <= r.body_span.end.max(r.body_span.start));
        let _ = &text[r.statement_span.clone()];
    }
    for d in &diags {
        let _ = file.line_col(d.primary.span.start);
    }
});
