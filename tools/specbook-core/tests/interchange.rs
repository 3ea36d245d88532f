//! Interchange formats against their official schemas: the OSCAL catalog (NIST OSCAL 1.0.6),
//! SARIF 2.1.0 (OASIS), GitHub annotations, and the published schema copies.

use specbook_core::pipeline::{Checked, Env, check};
use specbook_core::{diag_github, diag_sarif, oscal, publish, schema};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn external(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/external-schemas").join(name))
        .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("json");
    jsonschema::options()
        .build(&schema)
        .expect("schema compiles")
}

fn errors(v: &jsonschema::Validator, instance: &serde_json::Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Validates with boon: the official SARIF schema's `language` pattern has a stray `]`, which the
/// jsonschema crate's meta-schema check rejects but which is a valid (literal) regex for boon.
fn boon_errors(name: &str, instance: &serde_json::Value) -> Result<(), String> {
    let text = std::fs::read_to_string(repo().join("tests/external-schemas").join(name))
        .expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("json");
    let url = schema["$id"].as_str().expect("$id").to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(&url, schema).expect("resource");
    let index = compiler
        .compile(&url, &mut schemas)
        .map_err(|e| format!("{e:#}"))?;
    schemas
        .validate(instance, index)
        .map_err(|e| format!("{e:#}"))
}

fn checked(dir: &str) -> Checked {
    check(
        &repo().join(dir),
        &Env {
            source_date_epoch: Some(1_795_305_600),
        },
    )
    .expect("loads")
}

#[test]
fn oscal_catalogs_validate_against_the_nist_schema() {
    let nist = external("oscal_catalog_schema-1.0.6.json");
    let mut broken = oscal::catalog(&checked("tests/projects/minimal").catalogue, None);
    broken["catalog"]["groups"][0]["controls"][0]["id"] = serde_json::json!("1-not-a-token");
    assert!(
        !errors(&nist, &broken).is_empty(),
        "the OSCAL check cannot fail"
    );
    for dir in [
        "spec",
        "tests/diagnostics/SB023-withdrawn-reference",
        "tests/projects/minimal",
    ] {
        let c = checked(dir);
        let doc = oscal::catalog(&c.catalogue, c.env.source_date_epoch);
        let errs = errors(&nist, &doc);
        assert!(errs.is_empty(), "{dir}: {errs:#?}");
    }
}

#[test]
fn withdrawn_requirements_are_marked_as_oscal_does() {
    let c = checked("tests/diagnostics/SB023-withdrawn-reference");
    let doc = oscal::catalog(&c.catalogue, None);
    let controls = doc["catalog"]["groups"][0]["controls"]
        .as_array()
        .expect("controls");
    let x2 = controls.iter().find(|c| c["id"] == "X-2").expect("X-2");
    assert!(
        x2["props"]
            .as_array()
            .expect("props")
            .iter()
            .any(|p| p["name"] == "status" && p["value"] == "withdrawn"),
        "{x2}"
    );
    let x1 = controls.iter().find(|c| c["id"] == "X-1").expect("X-1");
    assert_eq!(x1["parts"][0]["name"], "statement");
}

#[test]
fn oscal_links_sources_to_back_matter_and_maps_cra_items() {
    let c = checked("spec");
    let doc = oscal::catalog(&c.catalogue, None);
    let resources = doc["catalog"]["back-matter"]["resources"]
        .as_array()
        .expect("resources");
    let uuids: Vec<&str> = resources
        .iter()
        .map(|r| r["uuid"].as_str().expect("uuid"))
        .collect();
    let mut linked = 0;
    for g in doc["catalog"]["groups"].as_array().expect("groups") {
        for ctl in g["controls"].as_array().into_iter().flatten() {
            for l in ctl["links"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|l| l["rel"] == "reference")
            {
                let href = l["href"].as_str().expect("href");
                assert!(
                    uuids.contains(&&href[1..]),
                    "dangling back-matter link {href}"
                );
                linked += 1;
            }
            assert!(
                ctl["props"]
                    .as_array()
                    .expect("props")
                    .iter()
                    .any(|p| p["name"] == "framework-item")
            );
        }
    }
    assert!(linked > 100);
}

#[test]
fn identical_input_gives_byte_identical_oscal() {
    let a =
        serde_json::to_string(&oscal::catalog(&checked("spec").catalogue, Some(1))).expect("json");
    let b =
        serde_json::to_string(&oscal::catalog(&checked("spec").catalogue, Some(1))).expect("json");
    assert_eq!(a, b);
    assert!(a.contains("\"last-modified\":\"1970-01-01T00:00:01Z\""));
}

/// The published file is written group by group on several threads; its bytes must be those
/// of serialising the whole document at once, whatever the spec holds.
#[test]
fn the_oscal_file_written_in_pieces_equals_the_document_serialised_whole() {
    let whole = |cat: &specbook_core::catalogue::Catalogue, epoch| {
        let mut text =
            serde_json::to_string_pretty(&oscal::catalog(cat, epoch)).expect("serialises");
        text.push('\n');
        text
    };
    for dir in [
        "spec",
        "tests/diagnostics/SB023-withdrawn-reference",
        "tests/projects/minimal",
        "tests/projects/legacy",
        "tests/projects/inline-markup",
    ] {
        let c = checked(dir);
        let pieces = String::from_utf8(oscal::catalog_json(&c.catalogue, Some(1))).expect("utf8");
        assert_eq!(pieces, whole(&c.catalogue, Some(1)), "{dir}");
    }
    // More chapters than one parallel batch, some without requirements, and no back matter.
    let mut cat = checked("spec").catalogue;
    let chapters = cat.chapters.clone();
    for copy in 1..8 {
        cat.chapters.extend(chapters.iter().map(|ch| {
            let mut ch = ch.clone();
            ch.slug = format!("{}-{copy}", ch.slug);
            if copy % 3 == 0 {
                ch.requirements.clear();
            }
            ch
        }));
    }
    assert!(cat.chapters.len() > 64);
    let pieces = String::from_utf8(oscal::catalog_json(&cat, None)).expect("utf8");
    assert_eq!(pieces, whole(&cat, None));
    cat.organisations.clear();
    cat.chapters.clear();
    let pieces = String::from_utf8(oscal::catalog_json(&cat, None)).expect("utf8");
    assert!(!pieces.contains("\"groups\"") && !pieces.contains("back-matter"));
    assert_eq!(pieces, whole(&cat, None));
}

#[test]
fn sarif_of_a_failing_spec_validates_against_the_oasis_schema() {
    for dir in [
        "tests/diagnostics/SB020-duplicate-id",
        "tests/projects/unknown-targets",
        "tests/diagnostics/SB014-metadata-schema",
    ] {
        let c = checked(dir);
        assert!(!c.diagnostics.is_empty());
        let log = diag_sarif::sarif(&c.diagnostics, &c.loaded.sources, "spec/", "0.1.0");
        if let Err(e) = boon_errors("sarif-schema-2.1.0.json", &log) {
            panic!("{dir}: {e}");
        }
        assert_eq!(
            log["runs"][0]["results"].as_array().expect("results").len(),
            c.diagnostics.len()
        );
    }
    let c = checked("tests/diagnostics/SB020-duplicate-id");
    let log = diag_sarif::sarif(&c.diagnostics, &c.loaded.sources, "spec/", "0.1.0");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(
        boon_errors("sarif-schema-2.1.0.json", &broken).is_err(),
        "the SARIF check cannot fail"
    );
    let r = &log["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "SB020");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "spec/02-two.md"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "spec/01-one.md"
    );
}

#[test]
fn github_annotations_carry_file_line_and_column() {
    let c = checked("tests/projects/unknown-targets");
    let out = diag_github::github(&c.diagnostics, &c.loaded.sources, "spec/");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("::error file=spec/01-mappings.md,line=15,col=12,endLine=15,endColumn=35,title=SB024 unknown-source::unknown organisation"), "{}", lines[0]);
    assert!(lines.iter().all(|l| l.contains("%0Ahelp: ")));
}

#[test]
fn published_schemas_have_ids_under_the_base_url_and_draft07_copies() {
    let c = checked("spec");
    let files = publish::files(&c).expect("files");
    let base = c
        .catalogue
        .spec
        .base_url
        .clone()
        .expect("spec has a base URL");
    let catalogue: serde_json::Value =
        serde_json::from_slice(&files["catalogue.json"]).expect("json");
    for (name, _) in schema::all() {
        let s: serde_json::Value =
            serde_json::from_slice(&files[&format!("schema/{name}")]).expect("schema");
        assert_eq!(s["$id"], format!("{base}schema/{name}"));
        let d7: serde_json::Value =
            serde_json::from_slice(&files[&format!("schema/draft-07/{name}")]).expect("draft-07");
        assert_eq!(d7["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(d7["$id"], format!("{base}schema/draft-07/{name}"));
        assert!(!serde_json::to_string(&d7).expect("json").contains("$defs"));
        let v = jsonschema::draft7::options()
            .build(&d7)
            .expect("draft-07 copy compiles");
        if name == "catalogue.schema.json" {
            assert!(
                v.is_valid(&catalogue),
                "catalogue does not validate against the draft-07 copy"
            );
        }
    }
    assert!(files.contains_key("oscal/catalog.json"));
    let sums = String::from_utf8(files["SHA256SUMS"].clone()).expect("utf8");
    assert!(
        sums.contains("  oscal/catalog.json\n")
            && sums.contains("  schema/draft-07/catalogue.schema.json\n")
    );
}
