//! End-to-end tests of `specbook release`: two releases into a temporary publish folder (the
//! second with the changes since the first, both in versions.json, `latest/` following, the
//! first byte-for-byte unchanged, checksums that verify), and every refusal (existing release,
//! version mismatch, lost ID, reused retired ID, no date) leaving the folder untouched.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn specbook(args: &[&str], epoch: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_specbook"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(e) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", e);
    }
    cmd.output().expect("runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("prefix").to_string_lossy();
                out.insert(rel.replace('\\', "/"), std::fs::read(&p).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

struct Spec {
    dir: PathBuf,
}

impl Spec {
    fn new(root: &Path) -> Self {
        Self {
            dir: root.join("spec"),
        }
    }
    fn set(&self, version: &str, date: Option<&str>, reqs: &str) {
        let mut config = format!("title = \"Tiny spec\"\nversion = \"{version}\"\nid = \"tiny\"\n");
        if let Some(d) = date {
            config.push_str(&format!("date = \"{d}\"\n"));
        }
        write(&self.dir.join("specbook.toml"), &config);
        write(
            &self.dir.join("01-reporting.md"),
            &format!("# Reporting\n\n## Channels\n\n{reqs}"),
        );
    }
    fn path(&self) -> &str {
        self.dir.to_str().expect("utf-8")
    }
}

const V1: &str = "\
### Private channel {#R-1}

A project SHOULD offer a private channel.

### Acknowledgement {#R-2}

The project MUST acknowledge a report within 14 days.

### Encryption {#R-3}

A project MAY accept encrypted reports.
";

/// R-1 strengthened, R-2 withdrawn, R-3 renamed to R-4, R-5 added.
const V2: &str = "\
### Private channel {#R-1}

A project MUST offer a private channel.

### Acknowledgement {#R-2}

```req
status = \"withdrawn\"
```

Withdrawn: see [R-1].

### Encryption {#R-4}

```req
replaces = \"R-3\"
```

A project MAY accept encrypted reports.

### Security contact {#R-5}

A project MUST name a security contact.
";

/// The page of R-1 from a plain `specbook build` of `spec`.
fn spec_build_page(spec: &Spec, tmp: &Path) -> String {
    let out = tmp.join("plain-build");
    let o = specbook(
        &["build", spec.path(), "--out", &out.display().to_string()],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    String::from_utf8(std::fs::read(out.join("req/R-1.html")).expect("page")).expect("utf-8")
}

fn release(spec: &Spec, publish: &Path, version: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "release",
        version,
        spec.path(),
        "--out",
        publish.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    specbook(&args, None)
}

fn verify_checksums(dir: &Path) {
    let files = tree(dir);
    let sums = String::from_utf8(files["SHA256SUMS"].clone()).expect("utf-8");
    let mut listed = 0;
    for line in sums.lines() {
        let (hash, path) = line.split_once("  ").expect("sha256sum format");
        let bytes = files
            .get(path)
            .unwrap_or_else(|| panic!("{path} listed but missing"));
        assert_eq!(hash, hex::encode(Sha256::digest(bytes)), "{path}");
        listed += 1;
    }
    assert_eq!(
        listed,
        files.len() - 1,
        "every file but SHA256SUMS is listed"
    );
}

#[test]
fn two_releases_the_first_unchanged_the_second_with_changes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = Spec::new(tmp.path());
    let publish = tmp.path().join("publish");

    spec.set("0.1.0", Some("2026-01-15"), V1);
    let o = release(&spec, &publish, "0.1.0", &["--status", "draft"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let first = publish.join("0.1.0");
    for f in [
        "catalogue.json",
        "release.json",
        "SHA256SUMS",
        "schema/diff.schema.json",
    ] {
        assert!(first.join(f).is_file(), "{f}");
    }
    assert!(
        !first.join("changes.html").exists(),
        "nothing to compare the first release with"
    );
    verify_checksums(&first);
    let first_files = tree(&first);
    assert_eq!(tree(&publish.join("latest")), first_files);

    spec.set("0.2.0", Some("2026-03-01"), V2);
    let o = release(&spec, &publish, "0.2.0", &["--status", "candidate"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("changes since 0.1.0"), "{}", stderr(&o));

    // The first release is byte-for-byte what it was.
    assert_eq!(tree(&first), first_files);

    let second = publish.join("0.2.0");
    verify_checksums(&second);
    assert_eq!(tree(&publish.join("latest")), tree(&second));

    let changes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("changes.json")).expect("changes.json"))
            .expect("json");
    assert_eq!(changes["old"]["version"], "0.1.0");
    assert_eq!(changes["new"]["version"], "0.2.0");
    let kinds: Vec<(String, String)> = changes["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().into(),
                c["kind"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("R-1", "modified"),
        ("R-2", "withdrawn"),
        ("R-4", "renamed"),
        ("R-5", "added"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(kinds, want);
    assert_eq!(changes["changes"][0]["strength_change"], "strengthened");
    assert!(changes["problems"].as_array().is_some_and(Vec::is_empty));

    let html = String::from_utf8(std::fs::read(second.join("changes.html")).expect("html"))
        .expect("utf-8");
    assert!(html.contains("<del>SHOULD</del><ins>MUST</ins>"));
    assert!(
        html.contains("href=\"req/R-5.html\""),
        "links to this release's pages"
    );
    assert!(
        html.contains("href=\"req/R-2.html\""),
        "a tombstone links to its page here"
    );

    // Requirement pages link to the same requirement in this, the latest and the previous
    // release, when the previous release had it.
    let page = |dir: &Path, id: &str| {
        String::from_utf8(std::fs::read(dir.join(format!("req/{id}.html"))).expect("page"))
            .expect("utf-8")
    };
    let r1 = page(&second, "R-1");
    assert!(
        r1.contains("href=\"../req/R-1.html\" aria-current=\"page\">This version (0.2.0)"),
        "{r1}"
    );
    assert!(
        r1.contains("href=\"../../latest/req/R-1.html\">Latest"),
        "{r1}"
    );
    assert!(
        r1.contains("href=\"../../0.1.0/req/R-1.html\">Previous (0.1.0)"),
        "{r1}"
    );
    let r5 = page(&second, "R-5");
    assert!(!r5.contains("0.1.0/req/R-5.html"), "R-5 is new in 0.2.0");
    assert!(r5.contains("Not in the previous release (0.1.0)"), "{r5}");
    let first_r1 = page(&first, "R-1");
    assert!(
        first_r1.contains("Not in any earlier release"),
        "{first_r1}"
    );
    // Both links resolve to files that exist.
    assert!(publish.join("latest/req/R-1.html").is_file());
    assert!(publish.join("0.1.0/req/R-1.html").is_file());
    // An ordinary build has no version links.
    assert!(!spec_build_page(&spec, tmp.path()).contains("This version"));

    let release_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("release.json")).expect("release.json"))
            .expect("json");
    assert_eq!(release_json["version"], "0.2.0");
    assert_eq!(release_json["date"], "2026-03-01");
    assert_eq!(release_json["status"], "candidate");
    assert_eq!(release_json["previous"], "0.1.0");
    assert_eq!(release_json["sequence"], 2);
    let catalogue: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("catalogue.json")).expect("catalogue"))
            .expect("json");
    assert_eq!(catalogue["spec"]["status"], "candidate");

    let versions: serde_json::Value =
        serde_json::from_slice(&std::fs::read(publish.join("versions.json")).expect("versions"))
            .expect("json");
    let list = versions.as_array().expect("a list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["version"], "0.2.0");
    assert_eq!(list[0]["date"], "2026-03-01");
    assert_eq!(list[0]["status"], "candidate");
    assert_eq!(list[0]["preferred"], true);
    assert_eq!(list[0]["url"], "0.2.0/");
    assert_eq!(list[1]["version"], "0.1.0");
    assert_eq!(list[1]["date"], "2026-01-15");
    assert_eq!(list[1]["status"], "draft");
    assert_eq!(list[1]["preferred"], false);

    // No temporary folders or files are left behind.
    let names: Vec<String> = std::fs::read_dir(&publish)
        .expect("publish")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["0.1.0", "0.2.0", "latest", "versions.json"]);
}

#[test]
fn refusals_leave_the_publish_folder_untouched() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = Spec::new(tmp.path());
    let publish = tmp.path().join("publish");
    spec.set("0.1.0", Some("2026-01-15"), V1);
    assert_eq!(code(&release(&spec, &publish, "0.1.0", &[])), 0);
    let before = tree(&publish);

    // The same version again.
    let o = release(&spec, &publish, "0.1.0", &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("already exists: releases are never overwritten"),
        "{}",
        stderr(&o)
    );

    // A version that disagrees with specbook.toml.
    let o = release(&spec, &publish, "0.2.0", &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("specbook.toml says version = \"0.1.0\""),
        "{}",
        stderr(&o)
    );

    // Losing a published ID (R-3 deleted without tombstone or `replaces`).
    spec.set(
        "0.2.0",
        Some("2026-02-01"),
        &V1.replace(
            "### Encryption {#R-3}\n\nA project MAY accept encrypted reports.\n",
            "",
        ),
    );
    let o = release(&spec, &publish, "0.2.0", &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("requirement ID `R-3` (published in 0.1.0) is missing"),
        "{}",
        stderr(&o)
    );

    // Spec errors.
    spec.set(
        "0.2.0",
        Some("2026-02-01"),
        &format!("{V1}\n### Again {{#R-1}}\n\nIt MUST fail.\n"),
    );
    let o = release(&spec, &publish, "0.2.0", &[]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("the spec has 1 error"),
        "{}",
        stderr(&o)
    );

    // No date in the config and no SOURCE_DATE_EPOCH: never the wall clock.
    spec.set("0.2.0", None, V1);
    let o = release(&spec, &publish, "0.2.0", &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("a release needs a date"),
        "{}",
        stderr(&o)
    );

    // A version that is not a folder name.
    let o = release(&spec, &publish, "../x", &[]);
    assert_eq!(code(&o), 2);

    assert_eq!(tree(&publish), before, "nothing was written");
}

#[test]
fn a_withdrawn_id_is_never_reused_and_the_date_may_come_from_source_date_epoch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = Spec::new(tmp.path());
    let publish = tmp.path().join("publish");
    let out = publish.to_str().expect("utf-8").to_string();
    spec.set("1", None, V1);
    let o = specbook(
        &["release", "1", spec.path(), "--out", &out],
        Some("1795305600"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let release_json =
        std::fs::read_to_string(publish.join("1/release.json")).expect("release.json");
    assert!(
        release_json.contains("\"date\": \"2026-11-22\""),
        "{release_json}"
    );

    spec.set("2", Some("2026-12-01"), V2);
    assert_eq!(
        code(&specbook(
            &["release", "2", spec.path(), "--out", &out],
            None
        )),
        0
    );
    let before = tree(&publish);

    // R-2 was withdrawn in release 2; bringing it back as a new requirement is refused, and so
    // is reusing R-3, which R-4 replaced.
    let reused = V2
        .replace("```req\nstatus = \"withdrawn\"\n```\n\nWithdrawn: see [R-1].", "A project MUST reply.")
        .replace("### Security contact {#R-5}", "### Encryption keys {#R-3}\n\nA project MAY publish keys.\n\n### Security contact {#R-5}");
    spec.set("3", Some("2027-01-01"), &reused);
    let o = specbook(&["release", "3", spec.path(), "--out", &out], None);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("`R-2` was withdrawn in 2 and may never be reused"),
        "{err}"
    );
    assert!(
        err.contains("`R-3` was retired in 2 (replaced by `R-4`)"),
        "{err}"
    );
    assert_eq!(tree(&publish), before);
}

/// A release is published at `<base_url><version>/`: that is the address its pages, catalogue
/// and schemas name, also in the copy under `latest/`; a plain build names the unversioned one.
#[test]
fn a_release_names_its_versioned_address() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = Spec::new(tmp.path());
    spec.set("1.0.0", Some("2026-01-15"), V1);
    let config = spec.dir.join("specbook.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    write(
        &config,
        &format!("{text}base_url = \"https://example.org/tiny\"\n"),
    );
    let plain = spec_build_page(&spec, tmp.path());
    assert!(
        plain.contains(r#"<link rel="canonical" href="https://example.org/tiny/req/R-1.html">"#),
        "{plain}"
    );

    let publish = tmp.path().join("publish");
    let o = release(&spec, &publish, "1.0.0", &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let url = "https://example.org/tiny/1.0.0/req/R-1.html";
    for dir in ["1.0.0", "latest"] {
        let files = tree(&publish.join(dir));
        let page = String::from_utf8(files["req/R-1.html"].clone()).expect("utf-8");
        assert!(
            page.contains(&format!(r#"<link rel="canonical" href="{url}">"#)),
            "{dir}: {page}"
        );
        assert!(
            page.contains(&format!(r#"<a class="url" href="{url}">{url}</a>"#)),
            "{dir}: {page}"
        );
        let catalogue: serde_json::Value =
            serde_json::from_slice(&files["catalogue.json"]).expect("catalogue");
        assert_eq!(
            catalogue["spec"]["base_url"], "https://example.org/tiny/1.0.0/",
            "{dir}"
        );
        let schema: serde_json::Value =
            serde_json::from_slice(&files["schema/catalogue.schema.json"]).expect("schema");
        assert_eq!(
            schema["$id"], "https://example.org/tiny/1.0.0/schema/catalogue.schema.json",
            "{dir}"
        );
    }
    let versions: serde_json::Value =
        serde_json::from_slice(&std::fs::read(publish.join("versions.json")).expect("versions"))
            .expect("json");
    assert_eq!(versions[0]["url"], "https://example.org/tiny/1.0.0/");
}

/// A release is refused before anything is written when `latest/` holds files no release wrote,
/// and the files it publishes are readable by a web server running as another user.
#[test]
fn a_release_writes_nothing_when_latest_holds_foreign_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = Spec::new(tmp.path());
    spec.set("1.0.0", Some("2026-01-15"), V1);
    let publish = tmp.path().join("publish");
    write(&publish.join("latest/mine.txt"), "not a release");
    let o = release(&spec, &publish, "1.0.0", &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("holds files that specbook did not write"),
        "{}",
        stderr(&o)
    );
    let names: Vec<_> = std::fs::read_dir(&publish)
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["latest"], "something was written");

    std::fs::remove_dir_all(publish.join("latest")).expect("rm");
    let o = release(&spec, &publish, "1.0.0", &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // `build` never replaces a frozen release either.
    let frozen = publish.join("1.0.0");
    let before = tree(&frozen);
    let o = specbook(
        &[
            "build",
            spec.path(),
            "--out",
            frozen.to_str().expect("utf-8"),
        ],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("is a frozen release"), "{}", stderr(&o));
    assert_eq!(tree(&frozen), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(publish.join("versions.json"))
            .expect("versions.json")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "versions.json is not world-readable: {mode:o}"
        );
    }
}
