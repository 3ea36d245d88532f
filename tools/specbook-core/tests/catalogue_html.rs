//! The catalogue's rendered statement and rationale: a requirement's Markdown is rendered on its
//! own, so the chapter's link reference definitions must come with it, as on the site.

use specbook_core::pipeline::{Checked, Env, check};

/// Checks a one-chapter spec with `chapter` as `01-a.md`.
fn check_chapter(chapter: &str) -> Checked {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("specbook.toml"),
        "title = \"C\"\nversion = \"1\"\n",
    )
    .expect("config");
    std::fs::write(tmp.path().join("01-a.md"), chapter).expect("chapter");
    check(tmp.path(), &Env::default()).expect("loads")
}

#[test]
fn reference_style_links_resolve_in_the_catalogue_html() {
    let checked = check_chapter(
        "# A\n\n### Guide {#REQ-01}\n\nEach project MUST follow [the guide][g].\n\n\
         Rationale: [the guide][g] says why.\n\n### Other {#REQ-02}\n\nIt MAY use [G].\n\n\
         [g]: https://example.org/guide \"Guide\"\n",
    );
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

#[test]
fn definitions_spread_over_lines_of_a_quote_or_list_are_not_copied_as_text() {
    let checked = check_chapter(
        "# A\n\n### Guide {#REQ-01}\n\nEach project MUST follow [the guide][g] and [h].\n\n\
         > [g]:\n> https://example.org/guide\n> \"Guide\"\n\n- [h]:\n  https://h.example\n\n\
         [t]:\n  https://t.example\n",
    );
    let html = &checked.catalogue.requirements[0].statement_html;
    // Nothing from the definitions' containers leaks into the statement.
    assert!(!html.contains("blockquote"), "{html}");
    assert!(!html.contains("example"), "{html}");
    assert_eq!(html.matches("<p>").count(), 1, "{html}");
    // A top-level definition over two lines still comes along.
    let chapter = &checked.chapters[0];
    let text = &checked.loaded.sources.get(chapter.file).text;
    assert_eq!(
        chapter.definitions_text(text),
        "[t]:\n  https://t.example\n"
    );
}

#[test]
fn a_statement_in_a_quote_keeps_the_quote_and_its_list_whole() {
    let checked = check_chapter(
        "# A\n\n## R {#REQ-01}\n\n> - First item MUST be quoted.\n> - Second item SHOULD be quoted.\n\n\
         ## S {#REQ-02}\n\n> Quoted text MUST stay quoted.\n>\n> Rationale: so it does.\n\n\
         ## T {#REQ-03}\n\n1. Numbered item MUST be listed.\n2. Another.\n",
    );
    assert_eq!(checked.diagnostics, Vec::new());
    let reqs = &checked.catalogue.requirements;
    assert_eq!(
        reqs[0].statement_html,
        "<blockquote>\n<ul>\n<li>First item MUST be quoted.</li>\n<li>Second item SHOULD be quoted.</li>\n</ul>\n</blockquote>\n"
    );
    assert_eq!(
        reqs[1].statement_html,
        "<blockquote>\n<p>Quoted text MUST stay quoted.</p>\n</blockquote>\n"
    );
    assert_eq!(
        reqs[1].rationale_html.as_deref(),
        Some("<blockquote>\n<p>so it does.</p>\n</blockquote>\n")
    );
    assert_eq!(
        reqs[2].statement_html,
        "<ol>\n<li>Numbered item MUST be listed.</li>\n<li>Another.</li>\n</ol>\n"
    );
}
