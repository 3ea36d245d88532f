//! The hostile-input corpus (`tests/hostile/`): every case ends in diagnostics and an exit code,
//! never a panic; payloads come out inert in HTML, intact in JSON and escaped on the terminal;
//! builds are reproducible across folders and time zones; injected write failures change nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn specbook_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_specbook"));
    cmd.current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

fn specbook(args: &[&str]) -> Output {
    specbook_in(&repo(), args, &[])
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(files(&p))
        } else {
            out.push(p)
        }
    }
    out.sort();
    out
}

#[test]
fn every_hostile_case_is_diagnosed_without_a_panic() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/hostile"))
        .expect("corpus")
        .map(|e| e.expect("e").path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let o = specbook(&["check", case.to_str().expect("utf8")]);
        let code = o
            .status
            .code()
            .unwrap_or_else(|| panic!("{name}: killed by a signal"));
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(code == 0 || code == 1, "{name}: exit {code}\n{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(
            !err.contains('\u{1b}') && !err.contains('\u{202e}') && !err.contains('\u{200b}'),
            "{name}: raw control characters reached the terminal"
        );
        insta::assert_snapshot!(format!("hostile-{name}"), err);
    }
}

#[test]
fn injection_payloads_are_inert_in_html_and_intact_in_json() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let spec = repo().join("tests/hostile/script-injection");
    let o = specbook(&[
        "build",
        spec.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut html_pages = 0;
    for f in files(&out) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
        let name = f.strip_prefix(&out).expect("prefix").display().to_string();
        if name.ends_with(".html") {
            html_pages += 1;
            for needle in [
                "<script>alert",
                "<img src=x",
                "<svg onload",
                "<iframe",
                "\"><script",
            ] {
                assert!(
                    !text.contains(needle),
                    "{name} contains an active payload `{needle}`"
                );
            }
        }
        if name.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let cat: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("catalogue.json")).expect("catalogue"))
            .expect("json");
    assert_eq!(
        cat["spec"]["title"], "<script>alert('title')</script> \"quoted\" & <b>bold</b>",
        "data must survive JSON unchanged"
    );
    assert_eq!(
        cat["organisations"][0]["documents"][0]["title"],
        "\"><img src=x onerror=alert('doc')>"
    );
    let html = cat["requirements"][0]["statement_html"]
        .as_str()
        .expect("html");
    assert!(
        html.contains("&lt;script&gt;alert('code')&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://example.org/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E\""),
        "{html}"
    );
    let _ = html_pages; // pages are counted once the site is rendered
}

#[test]
fn builds_are_reproducible_across_folders_time_zones_and_working_directories() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut sums = Vec::new();
    for (i, tz) in ["UTC", "Pacific/Kiritimati"].iter().enumerate() {
        let copy = tmp
            .path()
            .join(format!("copy-{i}{}", "-deeper".repeat(i)))
            .join("spec");
        copy_dir(&repo().join("spec"), &copy);
        let out = tmp.path().join(format!("out-{i}"));
        let cwd = if i == 0 {
            tmp.path().to_path_buf()
        } else {
            copy.clone()
        };
        let o = specbook_in(
            &cwd,
            &[
                "build",
                copy.to_str().expect("utf8"),
                "--out",
                out.to_str().expect("utf8"),
            ],
            &[("TZ", tz), ("SOURCE_DATE_EPOCH", "1795305600")],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        sums.push(std::fs::read_to_string(out.join("SHA256SUMS")).expect("sums"));
    }
    assert!(sums[0].lines().count() > 10);
    assert_eq!(sums[0], sums[1], "SHA256SUMS differ between the two builds");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target)
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

#[test]
fn an_injected_write_failure_leaves_the_previous_build_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let spec = repo().join("tests/projects/minimal");
    let args = [
        "build",
        spec.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ];
    assert_eq!(specbook_in(tmp.path(), &args, &[]).status.code(), Some(0));
    let before: Vec<(PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).expect("read");
            (f, b)
        })
        .collect();
    let o = specbook_in(tmp.path(), &args, &[("SPECBOOK_FAIL_AFTER_WRITES", "2")]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("injected failure"));
    let after: Vec<(PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).expect("read");
            (f, b)
        })
        .collect();
    assert!(before == after, "the previous output changed");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .map(|e| e.expect("e").file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left behind: {leftovers:?}"
    );
}

/// Runs `args` twice in `dir`: once with a write failing part-way (exit 2, nothing changed),
/// once normally (exit 0, something changed).
fn assert_atomic(dir: &Path, args: &[&str], fail_after: &str) {
    let before: Vec<(PathBuf, Vec<u8>)> = files(dir)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).expect("read");
            (f, b)
        })
        .collect();
    let o = specbook_in(dir, args, &[("SPECBOOK_FAIL_AFTER_WRITES", fail_after)]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("injected failure"),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let after: Vec<(PathBuf, Vec<u8>)> = files(dir)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).expect("read");
            (f, b)
        })
        .collect();
    assert!(
        before == after,
        "{args:?} changed files despite the failure"
    );
    let o = specbook_in(dir, args, &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let done: Vec<(PathBuf, Vec<u8>)> = files(dir)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).expect("read");
            (f, b)
        })
        .collect();
    assert!(
        before != done,
        "{args:?} changed nothing, so the failure test proves nothing"
    );
}

#[test]
fn init_ids_and_release_write_all_or_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    // init: the second of its files fails.
    std::fs::create_dir(tmp.path().join("new")).expect("mkdir");
    std::fs::write(tmp.path().join("new/keep.txt"), "unrelated").expect("write");
    assert_atomic(&tmp.path().join("new"), &["init", "."], "1");
    // ids --assign: the second chapter fails.
    let legacy = tmp.path().join("legacy");
    copy_dir(&repo().join("tests/projects/legacy"), &legacy);
    assert_atomic(&legacy, &["ids", ".", "--assign"], "1");
    // release: a write inside the release folder fails; nothing is published.
    let rel = tmp.path().join("rel");
    copy_dir(&repo().join("tests/projects/minimal"), &rel.join("spec"));
    std::fs::create_dir(rel.join("publish")).expect("mkdir");
    std::fs::write(rel.join("publish/.keep"), "").expect("write");
    let o = specbook_in(
        &rel,
        &["release", "1.0.0", "spec", "--out", "publish"],
        &[
            ("SPECBOOK_FAIL_AFTER_WRITES", "3"),
            ("SOURCE_DATE_EPOCH", "1795305600"),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        files(&rel.join("publish")).len(),
        1,
        "a failed release left files behind"
    );
    let o = specbook_in(
        &rel,
        &["release", "1.0.0", "spec", "--out", "publish"],
        &[("SOURCE_DATE_EPOCH", "1795305600")],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(rel.join("publish/1.0.0/catalogue.json").exists());
}
