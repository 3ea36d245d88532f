//! End-to-end tests of `specbook ids`: on the legacy fixture (no IDs) `--assign` leaves no
//! unidentified statement, only inserts headings and `{#ID}` attributes (everything else stays
//! byte for byte), and a second run changes nothing; the same holds for this repository's spec
//! with its IDs and metadata stripped.

use std::collections::BTreeMap;
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

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

fn chapters(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "md") {
            let name = p.file_name().expect("name").to_string_lossy().to_string();
            out.insert(name, std::fs::read_to_string(&p).expect("read"));
        }
    }
    out
}

/// Codes of the diagnostics `check --format json` reports.
fn codes(dir: &Path) -> Vec<String> {
    let o = specbook(&["check", dir.to_str().expect("utf-8"), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect()
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// An inserted requirement heading: `##… Title {#ID}` on its own line.
fn is_new_heading(line: &str) -> bool {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    let Some(rest) = line.strip_suffix('}') else {
        return false;
    };
    let Some((title, id)) = rest.rsplit_once(" {#") else {
        return false;
    };
    (2..=6).contains(&hashes)
        && title.len() > hashes + 1
        && title.as_bytes()[hashes] == b' '
        && is_id(id)
}

/// Proves that `new` is `old` plus insertions of two kinds only: ` {#ID}` at the end of an
/// existing heading line, and whole requirement headings (`\n{0,2}##… Title {#ID}\n\n`).
/// Returns the IDs inserted.
fn assert_only_insertions(old: &str, new: &str) -> Vec<String> {
    let old_lines: std::collections::BTreeSet<&str> = old.lines().collect();
    let mut ids = Vec::new();
    // 1. `{#ID}` added to existing headings: remove it again.
    let mut work = String::new();
    let mut inserted_headings = Vec::new();
    for line in new.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if let Some((before, id)) = body
            .strip_suffix('}')
            .and_then(|b| b.rsplit_once(" {#"))
            .filter(|(_, id)| is_id(id))
            && !old_lines.contains(body)
        {
            if old_lines.contains(before) && before.starts_with('#') {
                ids.push(id.to_string());
                work.push_str(before);
                work.push_str(&line[body.len()..]);
                continue;
            }
            assert!(is_new_heading(body), "unexpected new line: {body:?}");
            ids.push(id.to_string());
            inserted_headings.push(work.len());
        }
        work.push_str(line);
    }
    // 2. Inserted headings: `work` minus each heading line and its blank line, and minus 0–2
    //    newlines just before it, must be `old`; try the combinations (backtracking).
    fn fits(work: &str, at: &[usize], from: usize, old: &str, pos: usize) -> bool {
        let Some((&h, rest)) = at.split_first() else {
            return work[from..] == old[pos..];
        };
        let line_end = work[h..].find('\n').map_or(work.len(), |i| h + i + 1);
        if !work[line_end..].starts_with('\n') {
            return false;
        }
        let after = line_end + 1;
        let chunk = &work[from..h];
        (0..=2).any(|k| {
            let Some(kept) = chunk.strip_suffix(&"\n".repeat(k)) else {
                return false;
            };
            (k == 0 || chunk.len() >= k)
                && old[pos..].starts_with(kept)
                && fits(work, rest, after, old, pos + kept.len())
        })
    }
    assert!(
        fits(&work, &inserted_headings, 0, old, 0),
        "the new text is not the old text plus inserted headings:\n--- old\n{old}\n--- new\n{new}"
    );
    ids
}

#[test]
fn assigns_ids_to_the_legacy_draft() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("legacy");
    copy_dir(&repo().join("tests/projects/legacy"), &dir);
    let d = dir.to_str().expect("utf-8");
    let before = chapters(&dir);

    let unidentified = codes(&dir).iter().filter(|c| *c == "SB033").count();
    assert!(unidentified >= 10, "the fixture has statements without IDs");

    let o = specbook(&["ids", d, "--check"]);
    assert_eq!(code(&o), 1, "--check exits 1 when something would change");
    assert_eq!(chapters(&dir), before, "--check writes nothing");

    let o = specbook(&["ids", d, "--assign"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let after = chapters(&dir);

    let codes_after = codes(&dir);
    assert!(
        !codes_after.iter().any(|c| c == "SB033"),
        "no unidentified statement is left: {codes_after:?}"
    );
    assert!(
        codes_after.is_empty(),
        "the result checks clean: {codes_after:?}"
    );
    let o = specbook(&["check", d, "--deny-warnings"]);
    assert_eq!(code(&o), 0);

    let mut ids = Vec::new();
    for (name, old) in &before {
        ids.extend(assert_only_insertions(old, &after[name]));
    }
    assert_eq!(ids.len(), unidentified, "one requirement per statement");
    let re = regex_lite(&ids);
    assert!(re, "every ID matches the fixture's id_pattern: {ids:?}");
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "IDs are unique");

    // Both kinds of change occur: a heading with one statement got `{#ID}`, and a heading
    // with several got one new heading per statement, one level below it.
    assert!(after["02-reporting.md"].contains("## A private address {#CSP-RR-01}\n"));
    assert!(after["03-fixing.md"].contains("### Review\n\n#### "));
    assert!(
        after["02-reporting.md"]
            .contains("\n### Do not ask the reporter to sign {#CSP-RR-03}\n\nThey MUST NOT")
    );

    // Idempotent.
    let o = specbook(&["ids", d, "--check"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    let o = specbook(&["ids", d, "--assign"]);
    assert_eq!(code(&o), 0);
    assert_eq!(chapters(&dir), after, "a second run changes nothing");
}

/// `^CSP-[A-Z]{2,4}-[0-9]{2}$`, checked by hand (no regex dependency in the tests).
fn regex_lite(ids: &[String]) -> bool {
    ids.iter().all(|id| {
        let parts: Vec<&str> = id.split('-').collect();
        parts.len() == 3
            && parts[0] == "CSP"
            && (2..=4).contains(&parts[1].len())
            && parts[1].bytes().all(|b| b.is_ascii_uppercase())
            && parts[2].len() == 2
            && parts[2].bytes().all(|b| b.is_ascii_digit())
    })
}

#[test]
fn assigns_ids_to_this_repositorys_spec_without_its_ids() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("spec");
    copy_dir(&repo().join("spec"), &dir);
    // Strip every `{#ID}` and every `req` block: a legacy draft of the same text.
    for (name, text) in chapters(&dir) {
        let mut out = String::new();
        let mut in_req = false;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end();
            if body == "```req" {
                in_req = true;
                continue;
            }
            if in_req {
                in_req = body != "```";
                continue;
            }
            match body.strip_suffix('}').and_then(|b| b.rsplit_once(" {#")) {
                Some((before, _)) if body.starts_with('#') => {
                    out.push_str(before);
                    out.push('\n');
                }
                _ => out.push_str(line),
            }
        }
        std::fs::write(dir.join(name), out).expect("write");
    }
    let d = dir.to_str().expect("utf-8");
    let statements = codes(&dir).iter().filter(|c| *c == "SB033").count();
    assert!(statements > 50);
    let before = chapters(&dir);
    let o = specbook(&["ids", d, "--assign"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!codes(&dir).iter().any(|c| c == "SB033"));
    let after = chapters(&dir);
    for (name, old) in &before {
        assert_only_insertions(old, &after[name]);
    }
    assert_eq!(code(&specbook(&["ids", d, "--check"])), 0);
}

#[test]
fn refuses_a_folder_that_is_not_a_spec() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = specbook(&["ids", tmp.path().to_str().expect("utf-8"), "--assign"]);
    assert_eq!(code(&o), 2);
    let o = specbook(&["ids", tmp.path().to_str().expect("utf-8")]);
    assert_eq!(code(&o), 2, "one of --assign and --check is required");
}

#[test]
fn the_insertion_check_itself_rejects_other_edits() {
    let old = "# T\n\n## Head\n\nIt MUST x. It MUST y.\n- a MUST b\n";
    let good = "# T\n\n## Head\n\n### X {#A-1}\n\nIt MUST x. \n\n### Y {#A-2}\n\nIt MUST y.\n\n### B {#A-3}\n\n- a MUST b\n";
    assert_eq!(assert_only_insertions(old, good), ["A-1", "A-2", "A-3"]);
    let heading = "# T\n\n## Head {#A-1}\n\nIt MUST x. It MUST y.\n- a MUST b\n";
    assert_eq!(assert_only_insertions(old, heading), ["A-1"]);
    for bad in [
        "# T\n\n## Head\n\n### X {#A-1}\n\nIt MUST z. It MUST y.\n- a MUST b\n",
        "# T\n\n## Head\n\n### X {#A-1}\n\nIt MUST x. It MUST y.\n\n- a MUST b\n",
        "# T\n\n## Head\n### X {#A-1}\nIt MUST x. It MUST y.\n- a MUST b\n",
        "# T\n\n## Heading {#A-1}\n\nIt MUST x. It MUST y.\n- a MUST b\n",
    ] {
        let r = std::panic::catch_unwind(|| assert_only_insertions(old, bad));
        assert!(r.is_err(), "accepted {bad:?}");
    }
}

/// A spec folder in `tmp` with `config` and one chapter `01-vr.md` holding `chapter` (bytes).
fn legacy_spec(tmp: &Path, config: &str, chapter: &[u8]) -> PathBuf {
    let dir = tmp.join("spec");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("specbook.toml"), config).expect("write config");
    std::fs::write(dir.join("01-vr.md"), chapter).expect("write chapter");
    dir
}

const LEGACY: &[u8] = b"# Vulnerability reporting\n\nProjects MUST publish a contact.\n";

#[test]
fn no_ids_are_written_while_the_config_or_a_chapter_cannot_be_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A misspelt key makes the whole config invalid: its `id` and `id_pattern` would be lost.
    let config = "title = \"T\"\nversion = \"0.1.0\"\nid = \"sdp\"\nid_pattern = \"^SDP-[A-Z]{2,4}-[0-9]{2}$\"\neditor = [\"A. Editor\"]\n";
    let dir = legacy_spec(tmp.path(), config, LEGACY);
    std::fs::write(dir.join("02-bad.md"), b"# Bad \xFF\n\nIt MUST x.\n").expect("write");
    let d = dir.to_str().expect("utf-8");
    for mode in ["--assign", "--check"] {
        let o = specbook(&["ids", d, mode]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(code(&o), 1, "{mode}: {err}");
        assert!(
            err.contains("error[SB010]") && err.contains("error[SB002]"),
            "{err}"
        );
        assert!(err.contains("no IDs were"), "{err}");
        assert!(o.stdout.is_empty(), "{mode} proposed IDs");
    }
    assert_eq!(std::fs::read(dir.join("01-vr.md")).expect("read"), LEGACY);
    // Once both are fixed, the IDs follow the config.
    std::fs::write(
        dir.join("specbook.toml"),
        config.replace("editor", "editors"),
    )
    .expect("w");
    std::fs::remove_file(dir.join("02-bad.md")).expect("rm");
    assert_eq!(code(&specbook(&["ids", d, "--assign"])), 0);
    let text = std::fs::read_to_string(dir.join("01-vr.md")).expect("read");
    assert!(text.contains("{#SDP-VR-01}"), "{text}");
    assert!(codes(&dir).is_empty(), "{:?}", codes(&dir));
}

#[test]
fn a_chapter_with_a_byte_order_mark_gets_its_ids_and_keeps_the_mark() {
    let tmp = tempfile::tempdir().expect("tmp");
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), LEGACY].concat();
    let dir = legacy_spec(
        tmp.path(),
        "title = \"T\"\nversion = \"0.1.0\"\n",
        &with_bom,
    );
    let d = dir.to_str().expect("utf-8");
    let o = specbook(&["ids", d, "--assign"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let after = std::fs::read(dir.join("01-vr.md")).expect("read");
    assert!(
        after.starts_with(b"\xEF\xBB\xBF# Vulnerability"),
        "{after:?}"
    );
    let old = String::from_utf8(LEGACY.to_vec()).expect("utf-8");
    let new = String::from_utf8(after[3..].to_vec()).expect("utf-8");
    assert_eq!(assert_only_insertions(&old, &new).len(), 1);
    assert_eq!(code(&specbook(&["ids", d, "--check"])), 0);
}

#[test]
fn a_prefix_asked_for_is_in_every_new_id_or_nothing_is_proposed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = legacy_spec(tmp.path(), "title = \"T\"\nversion = \"0.1.0\"\n", LEGACY);
    let d = dir.to_str().expect("utf-8");
    let o = specbook(&["ids", d, "--check", "--prefix", "ABC"]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("{#ABC-VR-01}"));
    for bad in ["a b", "x/y", "9ABC", "", " - "] {
        let o = specbook(&["ids", d, "--check", "--prefix", bad]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(code(&o), 2, "{bad:?}: {err}");
        assert!(o.stdout.is_empty(), "{bad:?} proposed IDs without it");
        assert!(err.contains("--prefix"), "{err}");
    }
    assert_eq!(std::fs::read(dir.join("01-vr.md")).expect("read"), LEGACY);
}

#[test]
fn statements_left_without_an_id_are_counted_not_denied() {
    let tmp = tempfile::tempdir().expect("tmp");
    let chapter = b"# T\n\n## R {#A-1}\n\nIt MUST x.\n\nRationale: it MUST be so.\n";
    let dir = legacy_spec(tmp.path(), "title = \"T\"\nversion = \"0.1.0\"\n", chapter);
    let d = dir.to_str().expect("utf-8");
    for mode in ["--check", "--assign"] {
        let o = specbook(&["ids", d, mode]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(code(&o), 0, "{err}");
        assert!(
            err.contains("note: 01-vr.md:7:1: left without an ID"),
            "{err}"
        );
        assert!(
            err.contains("1 normative statement(s) stay without an ID"),
            "{err}"
        );
        assert!(
            !err.contains("every normative statement has an ID"),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_chapter_reached_twice_through_a_link_is_not_written_twice() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = legacy_spec(tmp.path(), "title = \"T\"\nversion = \"0.1.0\"\n", LEGACY);
    std::os::unix::fs::symlink("01-vr.md", dir.join("02-link.md")).expect("symlink");
    let o = specbook(&["ids", dir.to_str().expect("utf-8"), "--assign"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("01-vr.md and 02-link.md are the same file"),
        "{err}"
    );
    assert_eq!(std::fs::read(dir.join("01-vr.md")).expect("read"), LEGACY);
}
