//! End-to-end tests of `specbook init`: the scaffold checks with no error and no warning, and
//! init never overwrites a file (exit 2, nothing written).

use std::path::Path;
use std::process::{Command, Output};

fn specbook_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specbook"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                out.push((p.display().to_string(), Vec::new()));
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn init_then_check_is_clean() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = specbook_in(tmp.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "spec/specbook.toml",
        "spec/01-introduction.md",
        "spec/policies/example.toml",
        "spec/frameworks/example.toml",
    ] {
        assert!(tmp.path().join(f).is_file(), "{f}");
    }
    let o = specbook_in(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "no errors, warnings or notes: {report}"
    );
    let o = specbook_in(tmp.path(), &["check", "spec", "--deny-warnings"]);
    assert_eq!(code(&o), 0);
    let config = std::fs::read_to_string(tmp.path().join("spec/specbook.toml")).expect("read");
    assert!(config.contains("title = ") && config.contains("version = "));
    assert!(
        config.contains("# id_pattern"),
        "optional keys are shown, commented"
    );

    // A named folder and a title.
    let o = specbook_in(tmp.path(), &["init", "other", "--title", "My \"Spec\""]);
    assert_eq!(code(&o), 0);
    let o = specbook_in(tmp.path(), &["check", "other", "--deny-warnings"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = specbook_in(tmp.path(), &["build", "other", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn init_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("spec");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("specbook.toml"),
        "title = \"Mine\"\nversion = \"9\"\n",
    )
    .expect("write");
    std::fs::write(dir.join("notes.txt"), "keep me").expect("write");
    let before = snapshot(tmp.path());
    let o = specbook_in(tmp.path(), &["init", "spec"]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("refusing to overwrite") && err.contains("specbook.toml"),
        "{err}"
    );
    assert_eq!(snapshot(tmp.path()), before, "nothing changed");

    // Any one existing file is enough to refuse everything.
    let dir2 = tmp.path().join("two");
    std::fs::create_dir_all(dir2.join("policies")).expect("mkdir");
    std::fs::write(dir2.join("policies/example.toml"), "x").expect("write");
    let before = snapshot(tmp.path());
    let o = specbook_in(tmp.path(), &["init", "two"]);
    assert_eq!(code(&o), 2);
    assert_eq!(snapshot(tmp.path()), before, "nothing changed");

    // A file where the folder should be.
    std::fs::write(tmp.path().join("file"), "x").expect("write");
    let o = specbook_in(tmp.path(), &["init", "file"]);
    assert_eq!(code(&o), 2);
    // A title of nothing would make a config that does not check.
    for title in ["", "   "] {
        let before = snapshot(tmp.path());
        let o = specbook_in(tmp.path(), &["init", "blank", "--title", title]);
        assert_eq!(code(&o), 2, "{title:?}");
        assert_eq!(snapshot(tmp.path()), before, "nothing changed");
    }
    // A file where a parent folder should be: the error names it.
    let before = snapshot(tmp.path());
    let o = specbook_in(tmp.path(), &["init", "file/sub"]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error: file: "), "{err}");
    assert_eq!(snapshot(tmp.path()), before, "nothing changed");
    // And so does `build` when the output folder cannot be made.
    assert_eq!(code(&specbook_in(tmp.path(), &["init", "fresh"])), 0);
    let o = specbook_in(tmp.path(), &["build", "fresh", "--out", "file/out"]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("file: "), "{err}");
}
