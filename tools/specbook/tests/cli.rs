//! End-to-end tests of the `specbook` binary: exit codes, the catalogue of a minimal spec,
//! hostile input, determinism, and failed builds that leave the previous output intact.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn specbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specbook"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), content).expect("write");
}

fn spec_in(tmp: &Path, chapters: &[(&str, &[u8])]) -> PathBuf {
    let dir = tmp.join("spec");
    std::fs::create_dir_all(&dir).expect("mkdir");
    write(
        &dir,
        "specbook.toml",
        "title = \"T\"\nversion = \"0.1.0\"\n",
    );
    for (name, text) in chapters {
        write(&dir, name, text);
    }
    dir
}

/// Builds `spec` into `<tmp>/out`, which must succeed, and returns its `catalogue.json`.
fn built_catalogue(tmp: &Path, spec: &Path) -> serde_json::Value {
    let out = tmp.join("out");
    let o = specbook(&[
        "build",
        spec.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_slice(&std::fs::read(out.join("catalogue.json")).expect("catalogue"))
        .expect("json")
}

/// Appends `lines` to the `specbook.toml` of `spec`; returns the whole new text.
fn append_to_config(spec: &Path, lines: &str) -> String {
    let config = spec.join("specbook.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(lines);
    std::fs::write(&config, &text).expect("write config");
    text
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        out.push((
            e.strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .to_string(),
            std::fs::read(&e).expect("read"),
        ));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

#[test]
fn minimal_spec_builds_a_catalogue_with_a_must_requirement() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cat = built_catalogue(tmp.path(), &repo().join("tests/projects/minimal"));
    let reqs = cat["requirements"].as_array().expect("requirements");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0]["id"], "X-1");
    assert_eq!(reqs[0]["title"], "A title");
    assert_eq!(reqs[0]["strength"], "must");
    assert_eq!(reqs[0]["keywords"], serde_json::json!(["MUST"]));
    assert_eq!(
        reqs[0]["source"],
        serde_json::json!({"file": "01.md", "line": 3, "column": 1})
    );
    assert!(
        reqs[0]["content_hash"]
            .as_str()
            .expect("hash")
            .starts_with("sha256:")
    );
    let out = tmp.path().join("out");
    assert!(out.join("SHA256SUMS").exists());
    assert!(out.join("schema/catalogue.schema.json").exists());
}

#[test]
fn our_spec_checks_with_zero_diagnostics() {
    let o = specbook(&[
        "check",
        repo().join("spec").to_str().expect("utf8"),
        "--deny-warnings",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 errors, 0 warnings, 0 notes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn exit_codes_distinguish_spec_errors_from_usage_errors() {
    let bad = repo().join("tests/diagnostics/SB020-duplicate-id");
    assert_eq!(code(&specbook(&["check", bad.to_str().expect("utf8")])), 1);
    let missing = specbook(&["check", "/nonexistent/spec"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("cannot read"),
        "{}",
        stderr(&missing)
    );
    let not_spec = tempfile::tempdir().expect("tmp");
    let o = specbook(&["check", not_spec.path().to_str().expect("utf8")]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no specbook.toml"), "{}", stderr(&o));
    // The config file itself names its folder.
    let config = repo().join("tests/site-basic/specbook.toml");
    let o = specbook(&["check", config.to_str().expect("utf8")]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("is a file: name the spec folder that holds specbook.toml"),
        "{}",
        stderr(&o)
    );
    assert_eq!(code(&specbook(&["check", "--no-such-flag"])), 2);
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let dir = repo().join("tests/diagnostics/SB032-lowercase-keyword");
    let dir = dir.to_str().expect("utf8");
    assert_eq!(code(&specbook(&["check", dir])), 0);
    assert_eq!(code(&specbook(&["check", dir, "--deny-warnings"])), 1);
}

#[test]
fn json_diagnostics_carry_code_and_position() {
    let dir = repo().join("tests/diagnostics/SB020-duplicate-id");
    let o = specbook(&["check", dir.to_str().expect("utf8"), "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json on stdout");
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "SB020");
    assert_eq!(d["name"], "duplicate-id");
    assert_eq!(d["location"]["file"], "02-two.md");
    assert_eq!(d["location"]["line"], 3);
    assert_eq!(d["related"][0]["file"], "01-one.md");
    // The other error is a footnote label defined twice, in 03-notes.md.
    assert_eq!(v["summary"]["errors"], 2);
}

/// Runs `build` on a hostile spec: it must exit 1 with `code`, never panic, and write nothing.
fn assert_refused(tmp: &Path, spec: &Path, code_str: &str) {
    let out = tmp.join("out");
    let before: Vec<_> = std::fs::read_dir(tmp)
        .expect("ls")
        .map(|e| e.expect("e").file_name())
        .collect();
    let o = specbook(&[
        "build",
        spec.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(code_str),
        "expected {code_str}:\n{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let after: Vec<_> = std::fs::read_dir(tmp)
        .expect("ls")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(before, after, "nothing may be written on a failed build");
}

#[test]
fn a_50_mb_chapter_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let big = vec![b'a'; 50 * 1024 * 1024];
    let spec = spec_in(
        tmp.path(),
        &[
            ("01.md", b"# Fine\n\n### R {#X-1}\n\nIt MUST work.\n"),
            ("02-big.md", &big),
        ],
    );
    assert_refused(tmp.path(), &spec, "SB003");
}

#[test]
fn a_10000_deep_nested_list_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let deep = format!("# Deep\n\n{}x\n", "- ".repeat(10_000));
    let quotes = format!("# Quotes\n\n{}x\n", "> ".repeat(10_000));
    let spec = spec_in(
        tmp.path(),
        &[("01.md", deep.as_bytes()), ("02.md", quotes.as_bytes())],
    );
    assert_refused(tmp.path(), &spec, "SB005");
}

#[test]
fn invalid_utf8_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(tmp.path(), &[("01.md", b"# Caf\xe9\n")]);
    assert_refused(tmp.path(), &spec, "SB002");
}

#[test]
fn an_unterminated_req_block_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(
        tmp.path(),
        &[(
            "01.md",
            b"# T\n\n### R {#X-1}\n\n```req\nsince = \"0.1.0\"\n\nIt MUST work.\n",
        )],
    );
    assert_refused(tmp.path(), &spec, "SB013");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_spec_folder_is_not_followed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let secret = tmp.path().join("secret.md");
    write(tmp.path(), "secret.md", "# Secret\n\nTOP-SECRET-CONTENT\n");
    let spec = spec_in(
        tmp.path(),
        &[("01.md", b"# T\n\n### R {#X-1}\n\nIt MUST work.\n")],
    );
    std::os::unix::fs::symlink(&secret, spec.join("02-link.md")).expect("symlink");
    let out = tmp.path().join("out");
    let o = specbook(&[
        "build",
        spec.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("SB004"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("TOP-SECRET"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn a_chapter_under_a_symlinked_folder_out_of_the_spec_folder_is_not_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    write(&outside, "02.md", "# Secret\n\nTOP-SECRET-CONTENT\n");
    let spec = spec_in(
        tmp.path(),
        &[("01.md", b"# T\n\n### R {#X-1}\n\nIt MUST work.\n")],
    );
    std::os::unix::fs::symlink(&outside, spec.join("sub")).expect("symlink");
    // A chapter under the symlinked folder, and the folder itself named with a trailing slash
    // (the system follows a symlink written as `sub/`): both are refused.
    for listed in ["sub/02.md", "sub/"] {
        write(
            &spec,
            "specbook.toml",
            format!("title = \"T\"\nversion = \"0.1.0\"\nchapters = [\"01.md\", \"{listed}\"]\n"),
        );
        let o = specbook(&["check", spec.to_str().expect("utf8")]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(
            stderr(&o).contains("SB004")
                && stderr(&o).contains(&format!("`{listed}` resolves outside")),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn identical_input_gives_byte_identical_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = repo().join("spec");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        let o = specbook(&[
            "build",
            spec.to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() > 5);
    assert!(ta == tb, "two builds differ");
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(
        tmp.path(),
        &[("01.md", b"# T\n\n### R {#X-1}\n\nIt MUST work.\n")],
    );
    let out = tmp.path().join("out");
    let args = [
        "build",
        spec.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ];
    assert_eq!(code(&specbook(&args)), 0);
    let before = tree(&out);
    write(
        &spec,
        "02.md",
        "# Broken\n\n### Dup {#X-1}\n\nIt MUST fail.\n",
    );
    let o = specbook(&args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("left unchanged"), "{}", stderr(&o));
    assert!(before == tree(&out), "output changed after a failed build");
}

#[test]
fn sarif_and_github_formats_are_printed_on_stdout() {
    let dir = repo().join("tests/diagnostics/SB020-duplicate-id");
    let dir = dir.to_str().expect("utf8");
    let o = specbook(&["check", dir, "--format", "sarif"]);
    assert_eq!(code(&o), 1);
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif json");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "SB020");
    let o = specbook(&["check", dir, "--format", "github"]);
    assert_eq!(code(&o), 1);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("::error file="), "{out}");
    assert!(
        out.contains("SB020-duplicate-id/02-two.md,line=3,col=25,"),
        "{out}"
    );
}

#[test]
fn statement_html_keeps_markup_before_the_first_word() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cat = built_catalogue(tmp.path(), &repo().join("tests/projects/inline-markup"));
    let r = &cat["requirements"][0];
    assert_eq!(
        r["statement_html"],
        "<p><strong>Projects</strong> MUST do <em>this</em> and <code>that</code>.</p>\n"
    );
    assert_eq!(r["rationale_html"], "<p><em>emphasis</em> first.</p>\n");
    assert_eq!(r["statement"], "Projects MUST do this and that.");
}

/// The output replaces its whole folder, so `build` refuses one that holds anything it did not
/// write: the spec itself, a folder above it, a file, or a folder of someone else's files.
#[test]
fn build_never_replaces_a_folder_it_did_not_write() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(tmp.path(), &[("01-a.md", b"# A\n\nText.\n")]);
    let s = spec.to_str().expect("utf-8");
    let before = tree(&spec);
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    write(&other, "notes.txt", "keep me");
    let file = tmp.path().join("file.txt");
    write(tmp.path(), "file.txt", "precious");
    for (out, why) in [
        (spec.clone(), "is the spec folder or holds it"),
        (tmp.path().to_path_buf(), "is the spec folder or holds it"),
        (spec.join("."), "is the spec folder or holds it"),
        (other.clone(), "holds files that specbook did not write"),
        (file.clone(), "exists and is not a folder"),
        // Once `new` is created, `new/../spec` is the spec folder.
        (
            tmp.path().join("new/../spec"),
            "goes through a folder that does not exist",
        ),
        (spec.join("build"), "is inside the spec folder"),
    ] {
        let o = specbook(&["build", s, "--out", out.to_str().expect("utf-8")]);
        assert_eq!(code(&o), 2, "{}: {}", out.display(), stderr(&o));
        assert!(
            stderr(&o).contains(why),
            "{}: {}",
            out.display(),
            stderr(&o)
        );
    }
    assert_eq!(tree(&spec), before, "the spec changed");
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).expect("kept"),
        "keep me"
    );
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "precious");
    // A new folder, an empty one and an earlier output are fine.
    let out = tmp.path().join("site");
    for _ in 0..2 {
        let o = specbook(&["build", s, "--out", out.to_str().expect("utf-8")]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let o = specbook(&["build", s, "--out", empty.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// A chapter that is a named pipe (directly or through a symlink) is reported, not read: opening
/// it would wait forever for a writer.
#[cfg(unix)]
#[test]
fn a_named_pipe_as_a_chapter_is_refused_not_waited_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(tmp.path(), &[("01-a.md", b"# A\n\nText.\n")]);
    let made = Command::new("mkfifo").arg(spec.join("pipe")).status();
    if !made.is_ok_and(|s| s.success()) {
        if std::env::var("SPECBOOK_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("mkfifo failed, and SPECBOOK_REQUIRE_EXTERNAL=1");
        }
        eprintln!("SKIPPED: a_named_pipe_as_a_chapter_is_refused_not_waited_on: mkfifo failed");
        return;
    }
    std::os::unix::fs::symlink("pipe", spec.join("02-pipe.md")).expect("symlink");
    // Were the pipe opened, `build` would block, and this test with it.
    assert_refused(tmp.path(), &spec, "`02-pipe.md` is not a regular file");
}

/// A missing chapter of the `chapters` list is reported at its entry, not at the commented-out
/// example that `specbook init` writes above it.
#[test]
fn a_missing_listed_chapter_is_reported_at_its_entry_in_the_list() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join("spec");
    let s = spec.to_str().expect("utf-8");
    assert_eq!(code(&specbook(&["init", s])), 0);
    let text = append_to_config(&spec, "chapters = [\"01-introduction.md\"]\n");
    assert!(
        text.contains("# chapters = [\"01-introduction.md\"]"),
        "{text}"
    );
    std::fs::rename(spec.join("01-introduction.md"), spec.join("x.md")).expect("mv");
    let o = specbook(&["check", s, "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "SB001", "{v}");
    let line = d["location"]["line"].as_u64().expect("line") as usize;
    assert_eq!(
        text.lines().nth(line - 1),
        Some("chapters = [\"01-introduction.md\"]"),
        "{v}"
    );
}

/// A requirement may stand in a quote: its `req` block is read without the `>` markers.
#[test]
fn a_requirement_inside_a_quote_keeps_its_metadata() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(
        tmp.path(),
        &[(
            "01-a.md",
            b"# A\n\n> ### Quoted {#Q-1}\n>\n> ```req\n> related = [\"Q-2\"]\n> since = \"0.1.0\"\n> ```\n>\n> A project MUST quote.\n\n### Plain {#Q-2}\n\nA project MAY not.\n",
        )],
    );
    let cat = built_catalogue(tmp.path(), &spec);
    let q1 = &cat["requirements"][0];
    assert_eq!(q1["id"], "Q-1");
    assert_eq!(q1["related"], serde_json::json!(["Q-2"]));
    assert_eq!(q1["since"], "0.1.0");
    assert_eq!(q1["strength"], "must");
}

/// Past a budget, pulldown-cmark leaves reference links as plain text; the check says so rather
/// than passing the references after that point unchecked.
#[test]
fn a_chapter_with_more_references_than_the_parser_expands_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let refs = vec!["[R-1]"; 25_000].join(" ");
    let text = format!(
        "# A\n\n### One {{#R-1}}\n\nA project MUST do it.\n\n## Notes\n\nSee {refs} and [NOPE-1].\n"
    );
    let spec = spec_in(tmp.path(), &[("01-a.md", text.as_bytes())]);
    assert_refused(
        tmp.path(),
        &spec,
        "error[SB003]: this chapter has more references than the Markdown parser expands",
    );
}

/// A chapter whose file name is not UTF-8 is reported as such, not as a missing file.
#[cfg(unix)]
#[test]
fn a_chapter_name_that_is_not_utf8_is_reported_as_such() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(tmp.path(), &[("01-a.md", b"# A\n\nText.\n")]);
    let name = std::ffi::OsStr::from_bytes(b"02-\xff.md");
    if std::fs::write(spec.join(name), "# B\n\nText.\n").is_err() {
        eprintln!("SKIPPED: the file system refuses names that are not UTF-8");
        return;
    }
    assert_refused(tmp.path(), &spec, "is not valid UTF-8");
}

/// A chapter listed twice is read once, and the second entry is reported where it is written.
#[test]
fn a_chapter_listed_twice_is_reported_at_its_second_entry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(
        tmp.path(),
        &[(
            "01-a.md",
            b"# A\n\n### One {#A-1}\n\nA project MUST do it.\n",
        )],
    );
    append_to_config(&spec, "chapters = [\"01-a.md\", \".//01-a.md\"]\n");
    let o = specbook(&["check", spec.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error[SB010]: chapter `.//01-a.md` is listed twice in `chapters`"),
        "{err}"
    );
    assert!(err.contains("specbook.toml:3:24"), "{err}");
    assert!(!err.contains("SB020"), "the chapter was read twice: {err}");
}

/// Outside a quote, a line of a `req` block that starts with `>` is kept as written.
#[test]
fn a_req_block_outside_a_quote_keeps_lines_that_start_with_a_marker() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = spec_in(
        tmp.path(),
        &[(
            "01-a.md",
            b"# A\n\n### One {#A-1}\n\n```req\nnote = \"\"\"\n> quoted, and a>b\n\"\"\"\n```\n\nA project MUST do it.\n",
        )],
    );
    append_to_config(&spec, "[extra_fields]\nnote = { type = \"string\" }\n");
    let cat = built_catalogue(tmp.path(), &spec);
    assert_eq!(
        cat["requirements"][0]["extra"]["note"],
        "> quoted, and a>b\n"
    );
}

/// Reference images spend the parser's expansion budget as links do.
#[test]
fn reference_images_count_toward_the_expansion_budget() {
    let tmp = tempfile::tempdir().expect("tmp");
    let url = format!("https://example.org/{}", "x".repeat(1_000));
    let images: String = (0..101).map(|i| format!("![i{i}][big]\n")).collect();
    let text = format!(
        "# A\n\n### One {{#R-1}}\n\nA project MUST do it.\n\n## Notes\n\n{images}\nSee [NOPE-1].\n\n[big]: {url}\n"
    );
    let spec = spec_in(tmp.path(), &[("01-a.md", text.as_bytes())]);
    assert_refused(
        tmp.path(),
        &spec,
        "error[SB003]: this chapter has more references than the Markdown parser expands",
    );
}

/// Where the process may use only some CPUs (`taskset`, container cpusets), stderr carries the
/// diagnostics and nothing from the allocator.
#[cfg(target_os = "linux")]
#[test]
fn a_cpu_affinity_mask_adds_nothing_to_stderr() {
    let spec = repo().join("tests/site-basic");
    let o = Command::new("taskset")
        .args(["-c", "0"])
        .arg(env!("CARGO_BIN_EXE_specbook"))
        .args(["check", spec.to_str().expect("utf-8")])
        .env("NO_COLOR", "1")
        .output();
    let Ok(o) = o else {
        if std::env::var("SPECBOOK_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("taskset not found, and SPECBOOK_REQUIRE_EXTERNAL=1");
        }
        eprintln!("SKIPPED: a_cpu_affinity_mask_adds_nothing_to_stderr: taskset not found");
        return;
    };
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.starts_with("note[SB042]"), "{err}");
    assert!(!err.contains("<jemalloc>"), "{err}");
}
