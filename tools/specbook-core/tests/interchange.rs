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
        "tests/diff/merged/new",
        "tests/diff/merged-new-id/new",
    ] {
        let c = checked(dir);
        let doc = oscal::catalog(&c.catalogue, c.env.source_date_epoch);
        let errs = errors(&nist, &doc);
        assert!(errs.is_empty(), "{dir}: {errs:#?}");
        assert_ids_unique_and_links_resolve(dir, &doc);
    }
}

/// Every `id` in the document (groups, controls, parts) is unique, and every `#fragment` link
/// names one of them or a back-matter resource.
fn assert_ids_unique_and_links_resolve(what: &str, doc: &serde_json::Value) {
    fn walk<'a>(v: &'a serde_json::Value, ids: &mut Vec<&'a str>, hrefs: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    match (k.as_str(), x.as_str()) {
                        ("id" | "uuid", Some(id)) => ids.push(id),
                        ("href", Some(h)) if h.starts_with('#') => hrefs.push(&h[1..]),
                        _ => walk(x, ids, hrefs),
                    }
                }
            }
            serde_json::Value::Array(list) => list.iter().for_each(|x| walk(x, ids, hrefs)),
            _ => {}
        }
    }
    let (mut ids, mut hrefs) = (Vec::new(), Vec::new());
    walk(doc, &mut ids, &mut hrefs);
    let mut seen = std::collections::BTreeSet::new();
    for id in &ids {
        assert!(seen.insert(*id), "{what}: id `{id}` twice");
    }
    for h in hrefs {
        assert!(seen.contains(h), "{what}: link `#{h}` names nothing");
    }
}

/// An ID that `replaces` retired stays in the catalog as a withdrawn control that points to its
/// successors, so `moved-from` links resolve; each successor is listed once.
#[test]
fn replaced_ids_stay_as_withdrawn_controls_moved_to_their_successors() {
    let c = checked("tests/diff/merged-new-id/new");
    let doc = oscal::catalog(&c.catalogue, None);
    let controls = doc["catalog"]["groups"][0]["controls"]
        .as_array()
        .expect("controls");
    let ids: Vec<&str> = controls.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["R-01", "R-10", "R-02", "R-03"]);
    for old in ["R-02", "R-03"] {
        let stub = controls.iter().find(|c| c["id"] == old).expect("stub");
        assert_eq!(stub["props"][1]["name"], "status");
        assert_eq!(stub["props"][1]["value"], "withdrawn");
        assert_eq!(
            stub["links"],
            serde_json::json!([{ "href": "#R-10", "rel": "moved-to" }])
        );
        assert!(stub.get("parts").is_none(), "{stub}");
    }
}

/// Two IDs that make the same token (`AC-2(1)` and `AC-2_1_`) get different control ids, and
/// links go to the right one.
#[test]
fn ids_that_make_the_same_token_get_different_control_ids() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("specbook.toml"),
        "title = \"T\"\nversion = \"1.0.0\"\nid_pattern = \"^AC-[0-9A-Za-z()_]+$\"\n",
    )
    .expect("config");
    std::fs::write(
        tmp.path().join("01-one.md"),
        "# One\n\n### A {#AC-2(1)}\n\nA project MUST do one thing.\n\n\
         ### B {#AC-2_1_}\n\n```req\nrelated = [\"AC-2(1)\"]\n```\n\nA project MUST do another thing.\n",
    )
    .expect("chapter");
    let c = check(tmp.path(), &Env::default()).expect("loads");
    assert_eq!(c.catalogue.diagnostics.errors, 0, "{:?}", c.diagnostics);
    let doc = oscal::catalog(&c.catalogue, None);
    assert_ids_unique_and_links_resolve("colliding tokens", &doc);
    let controls = doc["catalog"]["groups"][0]["controls"]
        .as_array()
        .expect("controls");
    assert_eq!(controls[0]["id"], "AC-2_1_");
    assert_eq!(controls[1]["id"], "AC-2_1__2");
    assert_eq!(controls[1]["links"][0]["href"], "#AC-2_1_");
    let errs = errors(&external("oscal_catalog_schema-1.0.6.json"), &doc);
    assert!(errs.is_empty(), "{errs:#?}");
}

/// The catalog's UUID changes when its content does, and `last-modified` is never earlier than
/// `published`.
#[test]
fn a_revised_catalog_gets_a_new_uuid_and_is_never_modified_before_it_was_published() {
    let uuid = |dir: &str| {
        oscal::catalog(&checked(dir).catalogue, None)["catalog"]["uuid"]
            .as_str()
            .expect("uuid")
            .to_string()
    };
    assert_eq!(uuid("tests/diff/merged/new"), uuid("tests/diff/merged/new"));
    // Same spec id and version, different requirements.
    assert_ne!(
        uuid("tests/diff/merged/new"),
        uuid("tests/diff/merged-new-id/new")
    );
    // A cited document's title is in the back matter: changing it revises the catalog.
    let mut cat = checked("spec").catalogue;
    let before = oscal::catalog(&cat, None)["catalog"]["uuid"].clone();
    cat.organisations[0].documents[0]
        .title
        .push_str(" (revised)");
    assert_ne!(oscal::catalog(&cat, None)["catalog"]["uuid"], before);
    let mut cat = checked("tests/projects/minimal").catalogue;
    cat.spec.date = Some("2026-11-22".into());
    let doc = oscal::catalog(&cat, Some(1_700_000_000)); // 2023-11-14
    let meta = &doc["catalog"]["metadata"];
    assert_eq!(meta["published"], "2026-11-22T00:00:00Z");
    assert_eq!(meta["last-modified"], "2026-11-22T00:00:00Z");
    let doc = oscal::catalog(&cat, Some(1_800_000_000)); // 2027-01-15
    assert_eq!(
        doc["catalog"]["metadata"]["last-modified"],
        "2027-01-15T08:00:00Z"
    );
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
    // SOURCE_DATE_EPOCH=1 is before the spec's date, which `last-modified` never precedes.
    let date = checked("spec")
        .catalogue
        .spec
        .date
        .expect("the spec has a date");
    assert!(
        a.contains(&format!("\"last-modified\":\"{date}T00:00:00Z\"")),
        "{a}"
    );
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
