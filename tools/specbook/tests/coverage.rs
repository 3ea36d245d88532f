//! `specbook coverage` and the cross-link diagnostics of a spec citing unknown targets.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_specbook"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    (
        o.status.code().expect("exit code"),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn unknown_foundation_section_and_cra_item_are_three_errors_with_hints() {
    let dir = repo().join("tests/projects/unknown-targets");
    let (code, _, err) = run(&["check", dir.to_str().expect("utf8")]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err);
}

#[test]
fn coverage_prints_both_matrices_with_totals_and_gaps() {
    let spec = repo().join("spec");
    let (code, out, err) = run(&["coverage", spec.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Framework items × requirements"));
    assert!(out.contains("Requirements × organisations"));
    assert!(
        out.contains("in-scope framework items covered: 36 of 36"),
        "{out}"
    );
    assert!(out.contains("uncovered in-scope items: none"));
    for org in [
        "apache", "blender", "eclipse", "openssl", "php", "python", "rust",
    ] {
        assert!(
            out.contains(&format!("requirements citing {org}:")),
            "{org}"
        );
    }
    let (code, md, _) = run(&[
        "coverage",
        spec.to_str().expect("utf8"),
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0);
    assert!(md.contains("## Framework items × requirements") && md.contains("| --- |"));
}

#[test]
fn coverage_json_lists_items_organisations_and_gaps() {
    let dir = repo().join("tests/diagnostics/SB040-uncovered-framework-item");
    let (code, out, _) = run(&["coverage", dir.to_str().expect("utf8"), "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["summary"]["uncovered_items"],
        serde_json::json!(["CRA-AI-P2-7"])
    );
    assert_eq!(v["items"][0]["requirements"], serde_json::json!(["X-1"]));
    assert_eq!(v["organisations"][0]["id"], "acme");
}
