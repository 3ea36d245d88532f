//! One fixture per diagnostic code (`tests/diagnostics/<code>-<name>/`, holding the failing and
//! the clean case), each snapshotted in the human rendering.

use specbook_core::diag::{Code, DiagnosticCounts};
use specbook_core::diag_render;
use specbook_core::pipeline::{Detail, Env, check, check_with};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diagnostics")
}

/// Codes that only the site renderer can raise; their fixtures live with the site tests.
const RENDER_ONLY: &[Code] = &[Code::TemplateError];

fn render(dir: &Path) -> (String, Vec<Code>) {
    let checked = check(dir, &Env::default()).expect("fixture loads");
    // `check` and `diff` compute less of the catalogue; they must report exactly the same.
    for detail in [Detail::Compare, Detail::Diagnose] {
        let lighter = check_with(dir, &Env::default(), detail).expect("fixture loads");
        assert_eq!(
            lighter.diagnostics,
            checked.diagnostics,
            "{} with {detail:?}",
            dir.display()
        );
    }
    let mut out = String::new();
    for d in &checked.diagnostics {
        out.push_str(&diag_render::human(d, &checked.loaded.sources, false));
        out.push_str("\n\n");
    }
    out.push_str(&diag_render::summary(&DiagnosticCounts::of(
        &checked.diagnostics,
    )));
    (out, checked.diagnostics.iter().map(|d| d.code).collect())
}

#[test]
fn every_code_has_a_fixture_that_raises_it() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    for code in Code::ALL.iter().filter(|c| !RENDER_ONLY.contains(c)) {
        let expected = format!("{}-{}", code.as_str(), code.name());
        assert!(
            names.contains(&expected),
            "missing fixture tests/diagnostics/{expected}"
        );
    }
    for name in names {
        let code = Code::ALL
            .iter()
            .find(|c| name == format!("{}-{}", c.as_str(), c.name()))
            .unwrap_or_else(|| panic!("fixture {name} names no code"));
        let (rendered, codes) = render(&fixtures().join(&name));
        assert!(
            codes.contains(code),
            "fixture {name} does not raise {}:\n{rendered}",
            code.as_str()
        );
        insta::assert_snapshot!(name, rendered);
    }
}

#[test]
fn human_rendering_shows_file_line_col_and_marks_the_span() {
    let (rendered, _) = render(&fixtures().join("SB020-duplicate-id"));
    assert!(
        rendered.contains("error[SB020]: requirement ID `X-1` is used twice"),
        "{rendered}"
    );
    assert!(rendered.contains("--> 02-two.md:3:"), "{rendered}");
    assert!(rendered.contains("^^^"), "{rendered}");
    assert!(rendered.contains("first used here"), "{rendered}");
}

/// A config's extra field may reuse a known key to tighten it; then no `req` block may skip the
/// schema (the typed fast path), or the tighter rule would go unchecked.
#[test]
fn an_extra_field_that_tightens_a_known_key_is_enforced() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("specbook.toml"),
        "title = \"T\"\nversion = \"0.1.0\"\n[extra_fields]\nsince = { type = \"string\", pattern = \"^[0-9]+\\\\.[0-9]+$\" }\n",
    )
    .expect("write");
    let chapter = |since: &str| {
        format!(
            "# One\n\n## A thing {{#X-1}}\n\n```req\nsince = \"{since}\"\n```\n\nA project MUST do a thing.\n"
        )
    };
    let codes = |dir: &Path| -> Vec<Code> {
        check(dir, &Env::default())
            .expect("loads")
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    };
    std::fs::write(tmp.path().join("01.md"), chapter("soon")).expect("write");
    assert!(
        codes(tmp.path()).contains(&Code::MetadataSchema),
        "{:?}",
        codes(tmp.path())
    );
    std::fs::write(tmp.path().join("01.md"), chapter("1.2")).expect("write");
    assert!(
        !codes(tmp.path()).contains(&Code::MetadataSchema),
        "{:?}",
        codes(tmp.path())
    );
}

/// CONTRIBUTING.md lists every code with its name, severity and meaning, exactly as `codes!`.
#[test]
fn the_documented_code_table_is_the_code_list() {
    let doc = std::fs::read_to_string(fixtures().join("../../CONTRIBUTING.md")).expect("read");
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| SB")).collect();
    let expected: Vec<String> = Code::ALL
        .iter()
        .map(|c| {
            format!(
                "| {} | `{}` | {} | {} |",
                c.as_str(),
                c.name(),
                c.severity().as_str(),
                c.summary()
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "update the table under `Diagnostic codes` in CONTRIBUTING.md"
    );
}
