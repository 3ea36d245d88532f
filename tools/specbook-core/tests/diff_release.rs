//! The release stage through the library: the changes since the previous release come from the
//! diff, the page context carries This / Latest / Previous links, release.json and versions.json
//! validate against their committed schemas (boon), and the ID ledger sees every release.

use specbook_core::config::SpecStatus;
use specbook_core::pipeline::{Env, check};
use specbook_core::release::{self, Ledger, Options, ReleaseError};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Copies a fixture side into `dest` with the version and date set.
fn fixture(case: &str, side: &str, dest: &Path, version: &str, date: &str) {
    let src = repo().join("tests/diff").join(case).join(side);
    for entry in std::fs::read_dir(&src).expect("fixture") {
        let p = entry.expect("entry").path();
        if p.is_file() {
            std::fs::copy(&p, dest.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::write(
        dest.join("specbook.toml"),
        format!("title = \"Tiny spec\"\nversion = \"{version}\"\ndate = \"{date}\"\n"),
    )
    .expect("config");
}

fn validate(schema_file: &str, instance: &serde_json::Value) {
    let text = std::fs::read_to_string(repo().join("schema").join(schema_file)).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema json");
    let url = schema["$id"].as_str().expect("$id").to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(&url, schema).expect("resource");
    let index = compiler.compile(&url, &mut schemas).expect("compiles");
    if let Err(e) = schemas.validate(instance, index) {
        panic!("{schema_file}: {e:#}");
    }
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

#[test]
fn two_releases_through_the_library() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join("spec");
    std::fs::create_dir(&spec).expect("mkdir");
    let publish = tmp.path().join("publish");

    fixture("removed", "old", &spec, "1.0", "2026-01-01");
    let checked = check(&spec, &Env::default()).expect("loads");
    let first = release::release(
        checked,
        &Options {
            version: "1.0",
            status: Some(SpecStatus::Final),
            publish_dir: &publish,
        },
    )
    .expect("first release");
    assert!(first.changes.is_none() && first.context.previous.is_none());
    assert_eq!(first.info.sequence, 1);
    let links = first.context.requirement_links("R-01", "req/R-01.html");
    assert_eq!(links.this, "req/R-01.html");
    assert_eq!(links.latest, "../latest/req/R-01.html");
    assert_eq!(links.previous, None);

    // 1.1 drops R-02 without a tombstone: the ledger refuses, nothing is written.
    fixture("removed", "new", &spec, "1.1", "2026-02-01");
    let checked = check(&spec, &Env::default()).expect("loads");
    match release::release(
        checked,
        &Options {
            version: "1.1",
            status: None,
            publish_dir: &publish,
        },
    ) {
        Err(ReleaseError::Refused(reasons)) => {
            assert_eq!(reasons.len(), 1, "{reasons:?}");
            assert!(reasons[0].contains("`R-02` (published in 1.0) is missing"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!publish.join("1.1").exists());

    // 1.1 withdraws R-02 instead: released, with the changes since 1.0.
    fixture("withdrawn", "new", &spec, "1.1", "2026-02-01");
    let checked = check(&spec, &Env::default()).expect("loads");
    let second = release::release(
        checked,
        &Options {
            version: "1.1",
            status: None,
            publish_dir: &publish,
        },
    )
    .expect("second release");
    let changes = second.changes.as_ref().expect("changes");
    assert_eq!(changes.summary.withdrawn, 1);
    assert_eq!(second.info.previous.as_deref(), Some("1.0"));
    assert_eq!(second.info.status, SpecStatus::Draft, "the config's status");
    let prev = second.context.previous.as_ref().expect("previous");
    assert_eq!(prev.path, "../1.0/");
    let links = second.context.requirement_links("R-02", "req/R-02.html");
    assert_eq!(links.previous.as_deref(), Some("../1.0/req/R-02.html"));
    assert_eq!(second.context.versions.len(), 2);
    assert!(second.context.versions[0].preferred);

    validate(
        "release.schema.json",
        &read_json(&publish.join("1.1/release.json")),
    );
    validate(
        "versions.schema.json",
        &read_json(&publish.join("versions.json")),
    );
    validate(
        "diff.schema.json",
        &read_json(&publish.join("1.1/changes.json")),
    );

    let released = release::released(&publish).expect("releases");
    let names: Vec<&str> = released.iter().map(|r| r.folder.as_str()).collect();
    assert_eq!(names, ["1.0", "1.1"], "latest/ is not a release");
    let ledger = Ledger::from_releases(&released);
    let r02 = &ledger.ids["R-02"];
    assert_eq!(r02.first.as_deref(), Some("1.0"));
    assert_eq!(r02.withdrawn_in.as_deref(), Some("1.1"));
}
