//! The "did you mean" cap of the link stage: chapters are linked in parallel, yet the searches
//! go to the first unknown references in reading order, exactly as one thread would give them.

use specbook_core::diag::Code;
use specbook_core::pipeline::{Env, check};

/// A chapter defining `{prefix}-01` and referring `refs` times to `{prefix}-02`, one edit away.
fn chapter(prefix: &str, refs: usize) -> String {
    let uses: String = (0..refs)
        .map(|_| format!("See [{prefix}-02].\n\n"))
        .collect();
    format!("# {prefix}\n\n### Defined {{#{prefix}-01}}\n\nIt MUST work.\n\n## Notes\n\n{uses}")
}

#[test]
fn suggestions_go_to_the_first_unknown_references_in_reading_order() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("specbook.toml"),
        "title = \"S\"\nversion = \"1\"\nid_pattern = \"^[A-Z]+-[0-9]{2}$\"\n",
    )
    .expect("config");
    // 150 + 150 + 150 unknown references against a cap of 200 searches.
    for (file, prefix) in [("01-a.md", "AAA"), ("02-b.md", "BBB"), ("03-c.md", "CCC")] {
        std::fs::write(tmp.path().join(file), chapter(prefix, 150)).expect("chapter");
    }
    let checked = check(tmp.path(), &Env::default()).expect("loads");
    let unknown: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::UnknownReference)
        .collect();
    assert_eq!(unknown.len(), 450);
    let suggested: Vec<bool> = unknown
        .iter()
        .map(|d| {
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("did you mean"))
        })
        .collect();
    // Diagnostics are sorted by file and position, which is reading order here.
    let expected: Vec<bool> = (0..450).map(|i| i < 200).collect();
    assert_eq!(suggested, expected);
    assert!(
        unknown[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("`AAA-01`"))
    );
    assert!(
        unknown[199]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("`BBB-01`"))
    );
    // The same input always gives the same diagnostics.
    let again = check(tmp.path(), &Env::default()).expect("loads");
    assert_eq!(again.diagnostics, checked.diagnostics);
}
