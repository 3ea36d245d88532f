//! End-to-end tests of `specbook diff`: git revisions of a repository made in a temporary folder
//! (two and three commits of a small spec), folders and catalogues as sides, refused revisions,
//! exit codes (0 ran, 1 lost ID or spec errors, 2 usage or I/O), and a worktree left untouched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn specbook_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specbook"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=Spec Editor",
            "-c",
            "user.email=editor@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    stdout(&o)
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

const CONFIG: &str = "title = \"Tiny spec\"\nversion = \"VERSION\"\n";

fn chapter(reqs: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("# Reporting\n\n## Channels\n\n");
    for (id, title, body) in reqs {
        s.push_str(&format!("### {title} {{#{id}}}\n\n{body}\n\n"));
    }
    s
}

fn commit_spec(dir: &Path, version: &str, reqs: &[(&str, &str, &str)], message: &str) {
    write(
        &dir.join("spec/specbook.toml"),
        &CONFIG.replace("VERSION", version),
    );
    write(&dir.join("spec/01-reporting.md"), &chapter(reqs));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

const R1: (&str, &str, &str) = (
    "R-1",
    "Private channel",
    "A project SHOULD offer a private channel.",
);
const R1_MUST: (&str, &str, &str) = (
    "R-1",
    "Private channel",
    "A project MUST offer a private channel.",
);
const R2: (&str, &str, &str) = (
    "R-2",
    "Acknowledgement",
    "The project MUST acknowledge a report within 14 days.",
);
const R3: (&str, &str, &str) = (
    "R-3",
    "Encrypted reports",
    "A project MAY accept encrypted reports.",
);

/// A repository with three commits: 0.1.0; 0.2.0 (R-1 strengthened, R-3 added); 0.3.0 (R-2 gone).
fn history() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    commit_spec(dir, "0.1.0", &[R1, R2], "0.1.0");
    commit_spec(dir, "0.2.0", &[R1_MUST, R2, R3], "0.2.0");
    git(dir, &["tag", "v0.2.0"]);
    commit_spec(dir, "0.3.0", &[R1_MUST, R3], "0.3.0: drop R-2");
    tmp
}

#[test]
fn diff_between_two_git_revisions() {
    let tmp = history();
    let dir = tmp.path();
    let head_before = git(dir, &["rev-parse", "HEAD"]);
    let o = specbook_in(dir, &["diff", "HEAD~2", "v0.2.0", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["old"]["kind"], "git");
    assert_eq!(json["old"]["label"], "HEAD~2");
    assert_eq!(json["old"]["version"], "0.1.0");
    assert_eq!(json["new"]["version"], "0.2.0");
    let commit = git(dir, &["rev-parse", "v0.2.0^{commit}"]);
    assert_eq!(json["new"]["commit"], commit.trim());
    let changes: Vec<(String, String, String)> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_string(),
                c["kind"].as_str().unwrap_or_default().to_string(),
                c["strength_change"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("R-1".into(), "modified".into(), "strengthened".into()),
            ("R-3".into(), "added".into(), "none".into()),
        ]
    );
    // Read-only: HEAD, the index and the worktree are untouched.
    assert_eq!(git(dir, &["rev-parse", "HEAD"]), head_before);
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
}

#[test]
fn text_markdown_and_html_of_git_revisions() {
    let tmp = history();
    let dir = tmp.path();
    let o = specbook_in(dir, &["diff", "HEAD~2", "HEAD~1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("[-SHOULD-]{+MUST+}"), "{text}");
    assert!(text.contains("strengthened: SHOULD → MUST"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    let o = specbook_in(dir, &["diff", "HEAD~2", "HEAD~1", "--format", "markdown"]);
    assert!(stdout(&o).contains("<del>SHOULD</del><ins>MUST</ins>"));
    let o = specbook_in(dir, &["diff", "HEAD~2", "HEAD~1", "--format", "html"]);
    let html = stdout(&o);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("class=\"side\""));
}

#[test]
fn a_removed_id_fails_with_exit_1_and_says_so() {
    let tmp = history();
    let o = specbook_in(tmp.path(), &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("requirement `R-2` was removed without a tombstone"),
        "{}",
        stderr(&o)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json still printed");
    assert_eq!(json["changes"][0]["kind"], "removed");
    assert_eq!(json["problems"][0]["code"], "removed-without-tombstone");
}

#[test]
fn a_lens_filters_changes() {
    let tmp = history();
    let o = specbook_in(
        tmp.path(),
        &[
            "diff",
            "HEAD~2",
            "HEAD~1",
            "--strength",
            "strengthened",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["summary"]["hidden"], 1);
    assert_eq!(json["lens"]["strength"][0], "strengthened");
}

#[test]
fn the_worktree_folder_and_a_revision_compare() {
    let tmp = history();
    let dir = tmp.path();
    // Edit the worktree without committing: the folder side sees it, HEAD does not.
    let mut text = chapter(&[R1_MUST, R3]);
    text = text.replace("MAY accept", "SHOULD accept");
    write(&dir.join("spec/01-reporting.md"), &text);
    let o = specbook_in(dir, &["diff", "HEAD", "spec", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(json["new"]["kind"], "folder");
    assert_eq!(json["changes"][0]["id"], "R-3");
    assert_eq!(json["changes"][0]["strength_change"], "strengthened");
}

#[test]
fn spec_dir_names_the_folder_inside_the_revision() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    for (v, reqs) in [("0.1.0", vec![R1]), ("0.2.0", vec![R1, R3])] {
        write(
            &dir.join("docs/spec/specbook.toml"),
            &CONFIG.replace("VERSION", v),
        );
        write(&dir.join("docs/spec/01-reporting.md"), &chapter(&reqs));
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", v]);
    }
    let o = specbook_in(dir, &["diff", "HEAD~1", "HEAD"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("has no folder `spec`"),
        "{}",
        stderr(&o)
    );
    let o = specbook_in(dir, &["diff", "HEAD~1", "HEAD", "--spec-dir", "docs/spec"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("added     R-3"));
    let o = specbook_in(dir, &["diff", "HEAD~1", "HEAD", "--spec-dir", "../x"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn option_like_and_control_character_revisions_are_refused() {
    let tmp = history();
    let dir = tmp.path();
    for bad in [
        "--output=/tmp/pwned",
        "-x",
        "HEAD\u{1b}[31m",
        "HEAD\n",
        "HEAD~1..HEAD",
    ] {
        let o = specbook_in(dir, &["diff", "--", bad, "HEAD"]);
        assert_eq!(code(&o), 2, "{bad:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("refusing revision"),
            "{bad:?}: {}",
            stderr(&o)
        );
    }
    assert!(!Path::new("/tmp/pwned").exists());
    let o = specbook_in(dir, &["diff", "no-such-branch", "HEAD"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot resolve revision `no-such-branch`"),
        "{}",
        stderr(&o)
    );
    let outside = tempfile::tempdir().expect("tmp");
    let o = specbook_in(outside.path(), &["diff", "HEAD~1", "HEAD"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("not inside a git repository"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_side_with_spec_errors_fails_with_exit_1() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let good = dir.join("good");
    write(&good.join("specbook.toml"), &CONFIG.replace("VERSION", "1"));
    write(&good.join("01.md"), &chapter(&[R1]));
    let bad = dir.join("bad");
    write(&bad.join("specbook.toml"), &CONFIG.replace("VERSION", "2"));
    write(&bad.join("01.md"), &chapter(&[R1, R1]));
    let o = specbook_in(dir, &["diff", "good", "bad"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("a side has spec errors"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("new side (bad)"), "{}", stderr(&o));
}

#[test]
fn catalogues_and_tests_fixtures_are_sides_too() {
    let tmp = tempfile::tempdir().expect("tmp");
    let fixtures = repo().join("tests/diff/strengthened");
    let out = tmp.path().join("out");
    let o = specbook_in(
        tmp.path(),
        &[
            "build",
            fixtures.join("old").to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let catalogue = out.join("catalogue.json");
    let new = fixtures.join("new");
    for old in [catalogue.as_path(), out.as_path()] {
        let o = specbook_in(
            tmp.path(),
            &[
                "diff",
                old.to_str().expect("utf-8"),
                new.to_str().expect("utf-8"),
                "--format",
                "json",
            ],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
        assert_eq!(json["old"]["kind"], "catalogue");
        assert_eq!(json["changes"][0]["strength_change"], "strengthened");
    }
    let o = specbook_in(
        tmp.path(),
        &["diff", tmp.path().to_str().expect("utf-8"), "out"],
    );
    assert_eq!(code(&o), 2, "a folder that is neither a spec nor a build");
}
