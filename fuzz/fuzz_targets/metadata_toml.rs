//! Fuzzes TOML decoding with spans and schema validation of requirement metadata, and the
//! TOML and YAML front matter paths of the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use specbook_core::config::Config;
use specbook_core::source::{FileId, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let validator = specbook_core::toml_json::compile(&specbook_core::meta::base_schema()).expect("schema");
    if let Ok(doc) = specbook_core::toml_json::parse(text) {
        let (_, _, diags) = specbook_core::meta::decode(&doc, &validator, FileId(0), 0);
        for d in diags {
            assert!(d.primary.span.end <= text.len() + 1);
        }
    }
    let config = Config::minimal("fuzz", "1");
    let pattern = regex::Regex::new(specbook_core::config::DEFAULT_ID_PATTERN).expect("pattern");
    for doc in [
        format!("+++\n{text}\n+++\n# T\n"),
        format!("---\n{text}\n---\n# T\n"),
        format!("# T\n\n### R {{#X-1}}\n\n```req\n{text}\n```\n\nIt MUST work.\n"),
    ] {
        let file = SourceFile::new("fuzz.md", doc);
        let _ = specbook_core::parse::parse_chapter(FileId(0), &file, &config, &pattern, &validator);
    }
});
