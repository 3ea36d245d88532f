//! The catalogue's rendered statement and rationale: a requirement's Markdown is rendered on its
//! own, so the chapter's link reference definitions must come with it, as on the site.

use specbook_core::pipeline::{Env, check};

#[test]
fn reference_style_links_resolve_in_the_catalogue_html() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("specbook.toml"),
        "title = \"C\"\nversion = \"1\"\n",
    )
    .expect("config");
    std::fs::write(
        tmp.path().join("01-a.md"),
        "# A\n\n### Guide {#REQ-01}\n\nEach project MUST follow [the guide][g].\n\n\
         Rationale: [the guide][g] says why.\n\n### Other {#REQ-02}\n\nIt MAY use [G].\n\n\
         [g]: https://example.org/guide \"Guide\"\n",
    )
    .expect("chapter");
    let checked = check(tmp.path(), &Env::default()).expect("loads");
    assert_eq!(checked.diagnostics, Vec::new());
    let reqs = &checked.catalogue.requirements;
    let link = "<a href=\"https://example.org/guide\" title=\"Guide\">";
    assert_eq!(
        reqs[0].statement_html,
        format!("<p>Each project MUST follow {link}the guide</a>.</p>\n")
    );
    assert_eq!(
        reqs[0].rationale_html.as_deref(),
        Some(format!("<p>{link}the guide</a> says why.</p>\n").as_str())
    );
    // Labels match case-insensitively, as CommonMark says.
    assert!(
        reqs[1].statement_html.contains(link),
        "{}",
        reqs[1].statement_html
    );
    // Definitions render nothing themselves.
    assert!(!reqs[1].statement_html.contains("example.org/guide \""));
}
