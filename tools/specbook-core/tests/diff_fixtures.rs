//! The diff's fixture pairs (`tests/diff/<case>/{old,new}`, one per change kind): each is
//! compared, its classification asserted, and rendered in all four formats as insta snapshots.
//! Every JSON report validates against the committed `schema/diff.schema.json` with boon, an
//! implementation independent of the one the tool uses. Also: lenses and the word-diff deadline.

use specbook_core::bcp14::Strength;
use specbook_core::diff::{
    self, ChangeKind, DiffReport, Lens, MetaField, ProblemCode, SideInfo, SideKind, StrengthChange,
    StrengthLens, TextField,
};
use specbook_core::pipeline::{Env, check};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn catalogue(case: &str, side: &str) -> specbook_core::catalogue::Catalogue {
    let dir = repo().join("tests/diff").join(case).join(side);
    let checked = check(&dir, &Env::default()).expect("fixture loads");
    assert_eq!(
        checked.catalogue.diagnostics.errors, 0,
        "{case}/{side} has spec errors"
    );
    checked.catalogue
}

fn report_with(case: &str, lens: Lens) -> DiffReport {
    let old = catalogue(case, "old");
    let new = catalogue(case, "new");
    DiffReport::new(
        SideInfo::of("old", SideKind::Folder, &old),
        SideInfo::of("new", SideKind::Folder, &new),
        diff::compare(&old, &new),
        lens,
    )
}

fn report(case: &str) -> DiffReport {
    report_with(case, Lens::default())
}

/// Validates against the committed schema with boon.
fn validate(instance: &serde_json::Value) -> Result<(), String> {
    let text = std::fs::read_to_string(repo().join("schema/diff.schema.json"))
        .map_err(|e| format!("schema/diff.schema.json: {e}"))?;
    let schema: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let url = schema["$id"].as_str().unwrap_or_default().to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler
        .add_resource(&url, schema)
        .map_err(|e| e.to_string())?;
    let index = compiler
        .compile(&url, &mut schemas)
        .map_err(|e| format!("{e:#}"))?;
    schemas
        .validate(instance, index)
        .map_err(|e| format!("{e:#}"))
}

/// Snapshots the four formats of `case` and validates its JSON.
fn snapshot(case: &str) -> DiffReport {
    let r = report(case);
    let json = r.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).expect("json parses");
    if let Err(e) = validate(&value) {
        panic!("the JSON diff of {case} does not validate:\n{e}");
    }
    let back: DiffReport = serde_json::from_value(value).expect("json reads back");
    assert_eq!(back, r, "{case}: the JSON round-trips");
    insta::assert_snapshot!(format!("{case}.txt"), diff::text::render(&r, false));
    insta::assert_snapshot!(format!("{case}.md"), diff::markdown::render(&r));
    insta::assert_snapshot!(format!("{case}.json"), json);
    let html = diff::html::render(&r, &diff::html::Links::default());
    let mut ids = std::collections::BTreeSet::new();
    for id in html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(
            ids.insert(id),
            "{case}: the HTML diff has id=\"{id}\" twice"
        );
    }
    insta::assert_snapshot!(format!("{case}.html"), html);
    r
}

fn only(r: &DiffReport) -> &diff::Change {
    assert_eq!(r.changes.len(), 1, "{:#?}", r.changes);
    &r.changes[0]
}

/// The fixture pairs under `tests/diff`, sorted.
fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(repo().join("tests/diff"))
        .expect("tests/diff")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    cases.sort();
    cases
}

/// `specbook diff` opens folder sides with `Detail::Compare`, whose catalogues carry no content
/// hashes, and hashes only the reported requirements. For every fixture pair that must find
/// exactly what comparing the published catalogues finds, hashes included.
#[test]
fn sides_checked_for_comparing_match_the_published_catalogues() {
    let cases = cases();
    let open = |case: &str, side: &str| {
        let dir = repo().join("tests/diff").join(case).join(side);
        diff::side::open(&dir.display().to_string(), "spec", &repo(), &Env::default())
            .expect("fixture opens")
    };
    let mut hashed = 0;
    for case in &cases {
        let (old, new) = (open(case, "old"), open(case, "new"));
        assert!(
            old.catalogue()
                .requirements
                .iter()
                .all(|r| r.content_hash.is_empty()),
            "{case}: a side opened for comparing has no hashes"
        );
        let lazy = diff::side::compare_sides(&old, &new);
        let published = diff::compare(&catalogue(case, "old"), &catalogue(case, "new"));
        let json = |c: &diff::Comparison| {
            serde_json::json!({
                "changes": c.changes,
                "statements": c.statements,
                "problems": c.problems,
                "unchanged": c.unchanged,
            })
        };
        assert_eq!(json(&lazy), json(&published), "{case}");
        hashed += lazy
            .changes
            .iter()
            .flat_map(|c| [&c.old, &c.new])
            .flatten()
            .filter(|s| s.content_hash.starts_with("sha256:"))
            .count();
    }
    assert!(
        hashed >= 10,
        "the fixtures report hashed snapshots: {hashed}"
    );
}

#[test]
fn every_fixture_has_a_test() {
    let cases = cases();
    assert_eq!(
        cases,
        [
            "added",
            "editorial",
            "legacy",
            "link-target",
            "merged",
            "merged-new-id",
            "metadata",
            "moved",
            "removed",
            "renamed-declared",
            "renamed-detected",
            "same-strength",
            "strengthened",
            "substantive",
            "unchanged",
            "weakened",
            "withdrawn",
        ]
    );
}

#[test]
fn added() {
    let r = snapshot("added");
    let c = only(&r);
    assert_eq!((c.kind, c.id.as_str()), (ChangeKind::Added, "R-03"));
    assert!(c.old.is_none() && c.new.is_some());
    assert_eq!(c.strength_change, StrengthChange::None);
    assert!(!c.editorial && !r.failed());
    let page = diff::html::render(&r, &diff::html::Links::default());
    assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"));
    assert!(page.contains("&quot;reports&quot; &amp; attachments"));
}

#[test]
fn removed() {
    let r = snapshot("removed");
    let c = only(&r);
    assert_eq!((c.kind, c.id.as_str()), (ChangeKind::Removed, "R-02"));
    assert!(c.new.is_none());
    assert!(r.failed());
    assert_eq!(r.problems[0].code, ProblemCode::RemovedWithoutTombstone);
    assert_eq!(r.problems[0].id.as_deref(), Some("R-02"));
}

#[test]
fn withdrawn() {
    let r = snapshot("withdrawn");
    let c = only(&r);
    assert_eq!(c.kinds, [ChangeKind::Withdrawn]);
    assert_eq!(c.strength_change, StrengthChange::None);
    assert!(c.metadata.iter().any(|m| m.field == MetaField::Status));
    assert!(!r.failed(), "a tombstone keeps the ID");
}

#[test]
fn renamed_declared() {
    let r = snapshot("renamed-declared");
    let c = only(&r);
    assert_eq!(c.kinds, [ChangeKind::Renamed]);
    assert_eq!((c.id.as_str(), c.old_id.as_deref()), ("R-10", Some("R-02")));
    assert!(c.rename.as_ref().is_some_and(|r| r.declared));
    assert!(c.metadata.is_empty(), "declaring `replaces` is the rename");
    assert!(!r.failed());
}

/// Only the target of a link in the statement changed: its words did not, but the obligation
/// points somewhere else now.
#[test]
fn link_target() {
    let r = snapshot("link-target");
    let c = only(&r);
    assert_eq!((c.kind, c.id.as_str()), (ChangeKind::Modified, "R-01"));
    assert!(c.text.is_empty(), "the words are the same");
    assert_eq!(c.metadata.len(), 1);
    let m = &c.metadata[0];
    assert_eq!(m.field, MetaField::Links);
    assert_eq!(m.removed, ["https://example.org/guide/v1"]);
    assert_eq!(m.added, ["https://elsewhere.example/guide/v2"]);
    let (o, n) = (c.old.as_ref().expect("old"), c.new.as_ref().expect("new"));
    assert_ne!(o.content_hash, n.content_hash);
    // A catalogue written before links were recorded has none to compare: no change is
    // invented for it.
    let mut old = catalogue("link-target", "old");
    for r in &mut old.requirements {
        r.links = None;
    }
    let new = catalogue("link-target", "new");
    assert!(diff::compare(&old, &new).changes.is_empty());
}

/// R-02 keeps its ID and absorbs R-03 (`replaces = "R-03"`): R-03 is accounted for.
#[test]
fn merged() {
    let r = snapshot("merged");
    assert!(!r.failed(), "{:?}", r.problems);
    let kinds: Vec<_> = r
        .changes
        .iter()
        .map(|c| (c.id.as_str(), c.old_id.as_deref(), c.kinds.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("R-02", None, vec![ChangeKind::Modified]),
            (
                "R-02",
                Some("R-03"),
                vec![ChangeKind::Renamed, ChangeKind::Modified]
            ),
        ]
    );
    assert!(
        r.changes.iter().all(|c| c.metadata.is_empty()),
        "declaring `replaces` is the merge"
    );
    assert!(r.changes[1].rename.as_ref().is_some_and(|r| r.declared));
}

/// A new R-10 replaces both: both are accounted for, not only the first.
#[test]
fn merged_new_id() {
    let r = snapshot("merged-new-id");
    assert!(!r.failed(), "{:?}", r.problems);
    let renamed: Vec<_> = r
        .changes
        .iter()
        .map(|c| (c.id.as_str(), c.old_id.as_deref()))
        .collect();
    assert_eq!(renamed, [("R-10", Some("R-02")), ("R-10", Some("R-03"))]);
    assert!(r.changes.iter().all(|c| c.metadata.is_empty()));
}

#[test]
fn renamed_detected() {
    let r = snapshot("renamed-detected");
    let c = only(&r);
    assert_eq!(c.kinds, [ChangeKind::Renamed, ChangeKind::Modified]);
    let rename = c.rename.as_ref().expect("rename");
    assert!(!rename.declared && rename.similarity >= diff::RENAME_SIMILARITY);
    assert!(r.failed(), "an undeclared rename loses the old ID");
    assert_eq!(r.problems[0].code, ProblemCode::UndeclaredRename);
}

#[test]
fn moved() {
    let r = snapshot("moved");
    let c = only(&r);
    assert_eq!(c.kinds, [ChangeKind::Moved]);
    assert_eq!(
        c.new.as_ref().map(|n| n.chapter.as_str()),
        Some("02-handling")
    );
    assert!(!c.editorial);
}

#[test]
fn strengthened() {
    let r = snapshot("strengthened");
    let c = only(&r);
    assert_eq!(c.kind, ChangeKind::Modified);
    assert_eq!(c.strength_change, StrengthChange::Strengthened);
    let s = c.strength.as_ref().expect("strength");
    assert_eq!((s.old, s.new), (Strength::Should, Strength::Must));
    assert_eq!(
        (s.old_keywords.clone(), s.new_keywords.clone()),
        (vec!["SHOULD".to_string()], vec!["MUST".to_string()])
    );
}

#[test]
fn weakened() {
    let r = snapshot("weakened");
    let c = only(&r);
    assert_eq!(c.strength_change, StrengthChange::Weakened);
    assert_eq!(c.strength.as_ref().map(|s| s.new), Some(Strength::May));
}

#[test]
fn same_strength() {
    let r = snapshot("same-strength");
    let c = only(&r);
    assert_eq!(c.kind, ChangeKind::Modified);
    assert_eq!(
        c.strength_change,
        StrengthChange::None,
        "RECOMMENDED is SHOULD"
    );
    let s = c.strength.as_ref().expect("keywords changed");
    assert_eq!(s.old_keywords, ["RECOMMENDED"]);
    assert_eq!(s.new_keywords, ["SHOULD"]);
    assert!(!c.editorial);
}

#[test]
fn editorial() {
    let r = snapshot("editorial");
    let c = only(&r);
    assert!(c.editorial);
    assert!(c.text.iter().all(|t| t.editorial));
    assert_eq!(c.text.len(), 2);
    assert_eq!(r.summary.editorial, 1);
}

#[test]
fn substantive() {
    let r = snapshot("substantive");
    assert_eq!(r.changes.len(), 2);
    for c in &r.changes {
        assert!(!c.editorial && c.substantive_text());
        assert_eq!(c.strength_change, StrengthChange::None);
    }
    assert_eq!(r.changes[0].text[0].field, TextField::Rationale);
    assert_eq!(r.changes[1].text[0].field, TextField::Statement);
}

#[test]
fn metadata() {
    let r = snapshot("metadata");
    assert_eq!(r.changes.len(), 2);
    let fields =
        |i: usize| -> Vec<MetaField> { r.changes[i].metadata.iter().map(|m| m.field).collect() };
    assert_eq!(fields(0), [MetaField::Sources, MetaField::Frameworks]);
    assert_eq!(
        fields(1),
        [
            MetaField::Status,
            MetaField::Since,
            MetaField::Related,
            MetaField::Sources
        ]
    );
    assert!(r.changes.iter().all(|c| c.text.is_empty() && !c.editorial));
}

#[test]
fn legacy() {
    let r = snapshot("legacy");
    assert!(r.changes.is_empty());
    let kinds: Vec<(ChangeKind, StrengthChange)> = r
        .statements
        .iter()
        .map(|s| (s.kind, s.strength_change))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Modified, StrengthChange::Strengthened),
            (ChangeKind::Modified, StrengthChange::None),
            (ChangeKind::Modified, StrengthChange::Weakened),
            (ChangeKind::Added, StrengthChange::None),
            (ChangeKind::Moved, StrengthChange::None),
            (ChangeKind::Removed, StrengthChange::None),
        ]
    );
    assert!(!r.failed(), "statements have no IDs to lose");
}

#[test]
fn unchanged() {
    let r = snapshot("unchanged");
    assert!(r.changes.is_empty() && r.statements.is_empty() && !r.failed());
    assert_eq!(r.summary.unchanged, 2);
}

#[test]
fn lenses_filter_changes_but_not_problems() {
    let by = |lens: Lens| -> Vec<String> {
        report_with("metadata", lens)
            .changes
            .iter()
            .map(|c| c.id.clone())
            .collect()
    };
    let beta = Lens {
        foundation: vec!["beta".into()],
        ..Lens::default()
    };
    assert_eq!(by(beta), ["R-01"]);
    let cra = Lens {
        cra: vec!["CRA-AI-P2-6".into()],
        ..Lens::default()
    };
    assert_eq!(by(cra), ["R-01"]);
    let prefix = Lens {
        cra: vec!["cra-ai-p2".into()],
        ..Lens::default()
    };
    assert_eq!(by(prefix), ["R-01", "R-02"]);
    let chapter = Lens {
        chapter: vec!["02".into()],
        ..Lens::default()
    };
    assert!(by(chapter).is_empty());
    let should = Lens {
        strength: vec![StrengthLens::Should],
        ..Lens::default()
    };
    assert_eq!(by(should), ["R-02"]);

    let r = report_with(
        "removed",
        Lens {
            strength: vec![StrengthLens::Strengthened],
            ..Lens::default()
        },
    );
    assert!(r.changes.is_empty());
    assert_eq!(r.summary.hidden, 1);
    assert!(r.failed(), "a lens never hides a lost ID");

    let legacy = report_with(
        "legacy",
        Lens {
            strength: vec![StrengthLens::Changed],
            ..Lens::default()
        },
    );
    assert_eq!(legacy.statements.len(), 2);
    let legacy = report_with(
        "legacy",
        Lens {
            foundation: vec!["acme".into()],
            ..Lens::default()
        },
    );
    assert!(legacy.statements.is_empty());
    // `--chapter` takes a chapter's title as well as its slug, for statements too.
    let all = report_with("legacy", Lens::default()).statements.len();
    for chapter in ["Reporting", "reporting", "01"] {
        let legacy = report_with(
            "legacy",
            Lens {
                chapter: vec![chapter.into()],
                ..Lens::default()
            },
        );
        assert_eq!(legacy.statements.len(), all, "--chapter {chapter}");
    }
    let legacy = report_with(
        "legacy",
        Lens {
            chapter: vec!["Handling".into()],
            ..Lens::default()
        },
    );
    assert!(legacy.statements.is_empty());
}

#[test]
fn huge_rewrites_finish() {
    let old: String = (0..20_000).map(|i| format!("w{i} ")).collect();
    let new: String = (0..20_000)
        .map(|i| format!("v{} ", i * 7 % 20_000))
        .collect();
    // Past the bound on work the rewrite is one deletion and one insertion, instead of a word
    // diff that runs quadratically long; the bound is on size, not time, so it is the same on
    // every run and every machine.
    let segs = diff::words::segments(&old, &new);
    assert_eq!(segs.len(), 2);
    assert_eq!(
        (segs[0].op, segs[0].text.as_str()),
        (diff::SegmentOp::Delete, old.as_str())
    );
    assert_eq!(
        (segs[1].op, segs[1].text.as_str()),
        (diff::SegmentOp::Insert, new.as_str())
    );
    // Just inside the bound, the word diff is exact and rebuilds both sides.
    let old: String = (0..1_500).map(|i| format!("w{i} ")).collect();
    let new: String = (0..1_500).map(|i| format!("v{} ", i * 7 % 1_500)).collect();
    let segs = diff::words::segments(&old, &new);
    let side = |skip: diff::SegmentOp| -> String {
        segs.iter()
            .filter(|s| s.op != skip)
            .map(|s| s.text.as_str())
            .collect()
    };
    assert_eq!(side(diff::SegmentOp::Insert), old);
    assert_eq!(side(diff::SegmentOp::Delete), new);
    assert_eq!(segs, diff::words::segments(&old, &new));
}

#[test]
fn boon_rejects_a_broken_diff() {
    let mut value: serde_json::Value =
        serde_json::from_str(&report("strengthened").to_json()).expect("json");
    value["changes"][0]["strength_change"] = serde_json::json!("sideways");
    assert!(validate(&value).is_err());
    let mut value: serde_json::Value =
        serde_json::from_str(&report("added").to_json()).expect("json");
    value["changes"][0]["kind"] = serde_json::json!("reworded");
    assert!(validate(&value).is_err());
}

#[test]
fn terminal_escapes_and_bidi_controls_are_shown_not_obeyed() {
    let mut r = report("added");
    if let Some(n) = r.changes[0].new.as_mut() {
        n.statement = "Pay \u{202E}0001\u{202C} now\u{1b}[2J".into();
        n.title = "<img src=x onerror=alert(1)>".into();
    }
    let text = diff::text::render(&r, false);
    assert!(
        text.contains("Pay <U+202E>0001<U+202C> now<U+001B>[2J"),
        "{text}"
    );
    let md = diff::markdown::render(&r);
    assert!(md.contains("&lt;U+202E&gt;") && !md.contains('\u{202E}'));
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let html = diff::html::render(&r, &diff::html::Links::default());
    assert!(html.contains("&lt;U+202E&gt;") && !html.contains('\u{1b}'));
    assert!(!html.contains("<img"));
    for out in [&text, &md, &html] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{202E}'));
    }
}

/// Requirements with equal content hashes skip the full comparison, but what is derived from
/// the text and the registries can still differ (the keywords skip inline code; a reference
/// resolves only where the registry has it). Those differences must still be reported.
#[test]
fn equal_hashes_with_different_derived_facts_are_still_changes() {
    // The old side of the metadata pair, which has registries, compared with itself.
    let old = catalogue("metadata", "old");
    let same = diff::compare(&old, &old.clone());
    assert!(same.changes.is_empty(), "a version compared with itself");
    type Mutation = fn(&mut specbook_core::catalogue::RequirementEntry);
    let mutations: [(&str, Mutation); 3] = [
        ("keywords and strength", |r| {
            r.keywords.clear();
            r.strength = Strength::None;
        }),
        ("resolved framework items", |r| r.frameworks.clear()),
        ("resolved sources", |r| {
            r.sources.clear();
            r.organisations.clear();
        }),
    ];
    for (what, mutate) in mutations {
        let mut new = old.clone();
        let r = new
            .requirements
            .iter_mut()
            .find(|r| !r.keywords.is_empty() && !r.frameworks.is_empty() && !r.sources.is_empty())
            .expect("a requirement with keywords, items and sources");
        let id = r.id.clone();
        mutate(r);
        let c = diff::compare(&old, &new);
        assert!(
            c.changes.iter().any(|ch| ch.id == id),
            "{what}: a change of `{id}` with an equal content hash went unreported"
        );
    }
}
