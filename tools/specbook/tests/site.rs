//! End-to-end tests of the static site `specbook build` writes (issue 5), without a browser:
//! every page exists and every internal link and anchor resolves, output is deterministic,
//! injected markup stays escaped, link and template errors fail the build with diagnostics and
//! leave the previous output untouched. The browser checks live in `site_browser.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    repo().join("tests").join(name)
}

fn build(spec: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specbook"))
        .arg("build")
        .arg(spec)
        .arg("--out")
        .arg(out)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run specbook")
}

/// Builds `spec` into `<tmp>/site`, which must succeed, and returns the site's files.
fn built_site(tmp: &Path, spec: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = tmp.join("site");
    let o = build(spec, &out);
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
    tree(&out)
}

/// Builds `spec` into `<tmp>/site`, which must fail with spec errors (exit 1) and write
/// nothing, and returns what it printed.
fn failed_site_build(tmp: &Path, spec: &Path) -> String {
    let out = tmp.join("site");
    let o = build(spec, &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!out.exists(), "a failed build wrote output");
    stderr(&o)
}

/// The text of the built file `path`.
fn text_of(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8_lossy(&files[path]).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file below `dir`: path with `/` → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("below base");
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, std::fs::read(&p).expect("read file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let target = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

/// Copies fixture `name` to `<tmp>/spec` and makes each `(file, from, to)` replacement in it;
/// every `from` must occur, so that a fixture edit cannot quietly turn a test into a no-op.
fn edited_fixture(tmp: &Path, name: &str, edits: &[(&str, &str, &str)]) -> PathBuf {
    let spec = tmp.join("spec");
    copy_dir(&fixture(name), &spec);
    for (file, from, to) in edits {
        let path = spec.join(file);
        let text = std::fs::read_to_string(&path).expect("read fixture file");
        assert!(text.contains(from), "{file} no longer contains {from:?}");
        std::fs::write(&path, text.replace(from, to)).expect("write fixture file");
    }
    spec
}

/// `site-basic` with `edits` (file, from, to), built; every link of the site must resolve.
fn linked_site_of_edits(tmp: &Path, edits: &[(&str, &str, &str)]) -> BTreeMap<String, Vec<u8>> {
    let spec = edited_fixture(tmp, "site-basic", edits);
    let files = built_site(tmp, &spec);
    check_links(&files);
    files
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Values of `name="…"` attributes in `html`, unescaped.
fn attrs(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(unescape(&rest[..end]));
        rest = &rest[end..];
    }
    out
}

/// Resolves `target` (relative to page `from`, both site-root paths) to a site-root path.
fn resolve(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Checks every `href` and `src` of every page: relative targets exist, fragments name an
/// `id` of the target page, stylesheets, icons and scripts are local. Returns the external links.
fn check_links(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let html: BTreeMap<&str, String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| {
            (
                p.as_str(),
                String::from_utf8(b.clone()).expect("utf-8 page"),
            )
        })
        .collect();
    let ids: BTreeMap<&str, BTreeSet<String>> = html
        .iter()
        .map(|(p, h)| (*p, attrs(h, "id").into_iter().collect()))
        .collect();
    let mut external = Vec::new();
    let mut problems = Vec::new();
    for (page, h) in &html {
        for src in attrs(h, "src") {
            if src.contains("://") || src.starts_with("//") {
                problems.push(format!("{page}: remote src {src}"));
            }
        }
        for tag in h.split("<link ").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            let href = attrs(&format!(" {tag}"), "href").pop().unwrap_or_default();
            if !tag.contains("rel=\"canonical\"") && href.contains("://") {
                problems.push(format!("{page}: remote <link> {href}"));
            }
        }
        for href in attrs(h, "href").into_iter().chain(attrs(h, "src")) {
            if href.starts_with("http://")
                || href.starts_with("https://")
                || href.starts_with("mailto:")
            {
                external.push(href);
                continue;
            }
            if href == "#" {
                problems.push(format!("{page}: a link was neutralised to `#`"));
                continue;
            }
            let (path, fragment) = match href.split_once('#') {
                Some((p, f)) => (p, Some(percent_decode(f))),
                None => (href.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or("");
            let target = if path.is_empty() {
                page.to_string()
            } else {
                resolve(page, &percent_decode(path))
            };
            if !files.contains_key(&target) {
                problems.push(format!("{page}: {href} → missing {target}"));
                continue;
            }
            if let Some(f) = fragment {
                let known = ids.get(target.as_str()).is_some_and(|s| s.contains(&f));
                if !known {
                    problems.push(format!("{page}: {href} → no id `{f}` in {target}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    external
}

/// Every page has one `<h1>` and never skips a heading level going down.
fn check_headings(files: &BTreeMap<String, Vec<u8>>) {
    for (page, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let h = String::from_utf8_lossy(bytes);
        let levels: Vec<u8> = h
            .match_indices("<h")
            .filter_map(|(i, _)| {
                let b = h.as_bytes().get(i + 2)?;
                let next = h.as_bytes().get(i + 3)?;
                (b.is_ascii_digit() && (*next == b'>' || *next == b' ')).then_some(b - b'0')
            })
            .collect();
        assert_eq!(
            levels.iter().filter(|l| **l == 1).count(),
            1,
            "{page} must have exactly one <h1>: {levels:?}"
        );
        for w in levels.windows(2) {
            assert!(w[1] <= w[0] + 1, "{page} skips from h{} to h{}", w[0], w[1]);
        }
    }
}

#[test]
fn fixture_site_has_every_page_and_every_link_resolves() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = build(&fixture("site-basic"), &out);
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
    let files = tree(&out);

    let catalogue: serde_json::Value =
        serde_json::from_slice(&files["catalogue.json"]).expect("catalogue");
    for page in [
        "index.html",
        "requirements.html",
        "coverage.html",
        "organisations.html",
        "search.html",
        "search-index.json",
        "static/style.css",
        "static/site.js",
        "org/acme.html",
        // The permanent address of a renamed ID (`replaces`) still answers.
        "req/FX-OLD-01.html",
    ] {
        assert!(files.contains_key(page), "missing {page}");
    }
    let index = text_of(&files, "index.html");
    for ch in catalogue["chapters"].as_array().expect("chapters") {
        let path = ch["path"].as_str().expect("path");
        assert!(files.contains_key(path), "missing chapter page {path}");
        assert!(
            index.contains(&format!("href=\"{path}\"")),
            "index does not link {path}"
        );
    }
    for r in catalogue["requirements"].as_array().expect("requirements") {
        let id = r["id"].as_str().expect("id");
        let page = text_of(&files, &format!("req/{id}.html"));
        let first_words: String = r["statement"]
            .as_str()
            .expect("statement")
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            page.contains(&first_words),
            "req/{id}.html lacks its statement"
        );
        let chapter = r["chapter"].as_str().expect("chapter");
        let chapter_page = text_of(&files, &format!("{chapter}.html"));
        assert!(
            chapter_page.contains(&format!("id=\"{id}\"")),
            "{chapter}.html has no anchor for {id}"
        );
    }
    // Headings without IDs get slug ids, so `02-handling.md#triage-rules` lands.
    let ch1 = text_of(&files, "01-reporting.html");
    assert!(ch1.contains("href=\"02-handling.html#triage-rules\""));
    assert!(String::from_utf8_lossy(&files["02-handling.html"]).contains("id=\"triage-rules\""));
    // The metadata the index must show.
    for text in [
        "Site Fixture Specification",
        "1.2.0",
        "candidate",
        "2026-01-15",
        "Ada Editor, Bo Reviewer",
        "CC-BY-4.0",
        "exercises every page",
        "href=\"catalogue.json\"",
        "href=\"schema/catalogue.schema.json\"",
        "href=\"SHA256SUMS\"",
    ] {
        assert!(index.contains(text), "index lacks {text}");
    }

    let external = check_links(&files);
    assert!(
        external
            .iter()
            .any(|u| u == "https://acme.example/security/#report")
    );
    check_headings(&files);

    // SHA256SUMS lists every other file, and the sums are right.
    let sums = text_of(&files, "SHA256SUMS");
    let listed: BTreeSet<&str> = sums
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|x| x.1)
        .collect();
    let present: BTreeSet<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|p| *p != "SHA256SUMS")
        .collect();
    assert_eq!(listed, present);
    if let Ok(check) = Command::new("sha256sum")
        .args(["--check", "--quiet", "SHA256SUMS"])
        .current_dir(&out)
        .output()
    {
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }

    // No request leaves the site: the assets name no other host.
    for asset in ["static/style.css", "static/site.js"] {
        let text = text_of(&files, asset);
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset} names a host"
        );
        assert!(
            !text.contains("innerHTML") && !text.contains("insertAdjacentHTML"),
            "{asset} writes HTML"
        );
    }
}

#[test]
fn site_output_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    for out in [&a, &b] {
        let o = build(&fixture("site-basic"), out);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{path} differs between two builds");
    }
}

/// `(tag, attribute name)` of every start tag in `html`, read the way a browser tokenises them
/// (quoted and unquoted values, no whitespace needed between attributes).
fn tag_attributes(html: &str) -> Vec<(String, String)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        i += 1;
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let tag = html[start..i].to_ascii_lowercase();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            let n = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            out.push((tag.clone(), html[n..i].to_ascii_lowercase()));
            if i < b.len() && b[i] == b'=' {
                i += 1;
                match b.get(i) {
                    Some(&q) if q == b'"' || q == b'\'' => {
                        i += 1;
                        while i < b.len() && b[i] != q {
                            i += 1;
                        }
                        i += 1;
                    }
                    _ => {
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                            i += 1;
                        }
                    }
                }
            }
        }
        if tag == "script" || tag == "style" {
            let close = format!("</{tag}");
            i = html[i.min(html.len())..]
                .find(&close)
                .map_or(b.len(), |k| i + k);
        }
    }
    out
}

#[test]
fn tag_attribute_reader_sees_attributes_without_spaces() {
    let attrs = tag_attributes(
        "<p id=\"a\"onclick=\"x\">t</p><img src=x onerror=y><script>if (a<b) {}</script>",
    );
    let names: Vec<&str> = attrs.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(names, ["id", "onclick", "src", "onerror"]);
}

#[test]
fn injected_markup_stays_escaped() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = build(&fixture("site-xss"), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = tree(&out);
    let mut escaped_seen = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let h = String::from_utf8_lossy(bytes);
        for bad in [
            "<script>alert",
            "<img src=x",
            "<b class=\"injected\"",
            "<b class=injected",
            "<svg onload",
            "href=\"javascript:",
            "url=javascript:",
        ] {
            assert!(!h.contains(bad), "{path} contains unescaped `{bad}`");
        }
        for (tag, attr) in tag_attributes(&h) {
            assert!(
                !attr.starts_with("on") && attr != "autofocus" && attr != "formaction",
                "{path}: <{tag}> carries an injected attribute `{attr}`"
            );
        }
        escaped_seen += h.matches("&lt;script&gt;alert(").count();
    }
    // The payloads are shown as text, not dropped.
    assert!(
        escaped_seen > 10,
        "payload text missing from the pages ({escaped_seen})"
    );
    let index = text_of(&files, "index.html");
    assert!(index.contains("XSS &lt;script&gt;alert(&#39;spec title&#39;)&lt;/script&gt;"));
    // A scheme outside the allow-list becomes `#`.
    let org = text_of(&files, "org/evil.html");
    assert!(org.contains("<a href=\"#\">javascript:alert(&#39;contact&#39;)</a>"));
}

#[test]
fn dangling_anchor_fails_with_sb037() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = build(&fixture("site-dangling"), &out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("error[SB037]"), "{err}");
    assert!(
        err.contains("anchor `#nowhere` does not exist in `01-one.md`"),
        "{err}"
    );
    assert!(err.contains("02-two.md:7:29"), "{err}");
    // The valid links of the same fixture (`#background`, `02-two.md#the-details`) pass.
    assert_eq!(err.matches("error[SB037]").count(), 1, "{err}");
    assert!(!out.exists(), "a failed build wrote output");
}

#[test]
fn broken_template_override_leaves_previous_output_untouched() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = build(&fixture("site-basic"), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = tree(&out);

    let o = build(&fixture("site-broken-template"), &out);
    assert_eq!(o.status.code(), Some(1), "a render error is a spec error");
    let err = stderr(&o);
    assert!(err.contains("error[SB050]"), "{err}");
    assert!(err.contains("site/templates/chapter.html:6:4"), "{err}");
    assert_eq!(tree(&out), before, "the previous output changed");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("site")]);
}

#[test]
fn overrides_replace_built_ins_and_their_errors_point_into_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join("spec");
    copy_dir(&fixture("site-basic"), &spec);
    let templates = spec.join("site/templates");
    std::fs::create_dir_all(&templates).expect("mkdir");
    std::fs::create_dir_all(spec.join("site/static/img")).expect("mkdir");
    std::fs::write(
        templates.join("index.html"),
        "{% extends \"base.html\" %}\n{% block content %}<h1>Custom front page of {{ spec.title }}</h1>{% endblock content %}\n",
    )
    .expect("write");
    std::fs::write(spec.join("site/static/img/logo.svg"), "<svg/>").expect("write");
    let out = tmp.path().join("site");
    let o = build(&spec, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = tree(&out);
    let index = text_of(&files, "index.html");
    assert!(index.contains("<h1>Custom front page of Site Fixture Specification</h1>"));
    assert_eq!(files["static/img/logo.svg"], b"<svg/>");
    assert!(String::from_utf8_lossy(&files["SHA256SUMS"]).contains("  static/img/logo.svg\n"));
    let before = tree(&out);

    // A template that fails while rendering: the diagnostic has its file:line:col.
    std::fs::write(
        templates.join("search.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ no_such_variable }}</p>\n{% endblock content %}\n",
    )
    .expect("write");
    // A template that is not `*.html` (autoescaping would be off).
    std::fs::write(templates.join("notes.txt"), "{{ spec.title }}").expect("write");
    // A link out of the spec folder.
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/hostname", templates.join("escape.html")).expect("symlink");
    // A chapter that would overwrite the site's own page.
    std::fs::write(spec.join("index.md"), "# Index\n\nJust prose.\n").expect("write");
    // A template that is not UTF-8, and an asset over the size limit.
    std::fs::write(templates.join("latin1.html"), b"caf\xe9 {{ spec.title }}").expect("write");
    let mut config = std::fs::read_to_string(spec.join("specbook.toml")).expect("read");
    config.push_str("\n[limits]\nmax_file_bytes = 4096\n");
    std::fs::write(spec.join("specbook.toml"), config).expect("write");
    std::fs::write(spec.join("site/static/big.bin"), vec![b'x'; 5000]).expect("write");

    let o = build(&spec, &out);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("site/templates/search.html:3:7"), "{err}");
    assert!(err.contains("`no_such_variable` is not defined"), "{err}");
    assert!(
        err.contains("template `notes.txt` is not named `*.html`"),
        "{err}"
    );
    #[cfg(unix)]
    assert!(
        err.contains("error[SB004]") && err.contains("site/templates/escape.html"),
        "{err}"
    );
    assert!(
        err.contains("chapter `index.md` would be published as `index.html`"),
        "{err}"
    );
    assert_eq!(tree(&out), before, "the previous output changed");
}

#[test]
fn spec_site_builds_when_the_spec_checks_clean() {
    let spec = repo().join("spec");
    let check = Command::new(env!("CARGO_BIN_EXE_specbook"))
        .arg("check")
        .arg(&spec)
        .output()
        .expect("run specbook");
    if !check.status.success() {
        // Straight to stderr: libtest hides what `println!` prints in a test that passes.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: spec_site_builds_when_the_spec_checks_clean: spec/ does not check clean right now\n",
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = build(&spec, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = tree(&out);
    check_links(&files);
}

/// The coverage grid is written sparsely (runs of empty columns are one cell with a
/// `colspan`), so this walks each row column by column: every mapping of the catalogue must sit
/// in its requirement's column, and every row must span exactly the requirement columns.
#[test]
fn coverage_grid_puts_each_mapping_in_its_requirements_column() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = build(&repo().join("spec"), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("coverage.html")).expect("coverage page");
    let catalogue: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("catalogue.json")).expect("catalogue"))
            .expect("json");
    let mut expected = BTreeSet::new();
    for r in catalogue["requirements"].as_array().expect("requirements") {
        if r["status"] == "withdrawn" {
            continue;
        }
        for f in r["frameworks"].as_array().expect("frameworks") {
            let id = f["id"].as_str().expect("id").to_string();
            expected.insert((id, r["id"].as_str().expect("id").to_string()));
        }
    }
    let mut found = BTreeSet::new();
    let mut tables = 0;
    for table in html.split("<table class=\"grid\">").skip(1) {
        tables += 1;
        let table = &table[..table.find("</table>").expect("table end")];
        let (head, body) = table.split_once("<tbody>").expect("tbody");
        let columns: Vec<String> = head
            .split("<th scope=\"col\" class=\"rot\"><a href=\"req/")
            .skip(1)
            .map(|s| s[..s.find(".html").expect("link")].to_string())
            .collect();
        assert!(!columns.is_empty(), "a grid without columns");
        for row in body.split("<tr ").skip(1) {
            let item = row
                .split_once("id=\"")
                .and_then(|(_, r)| r.split_once('"'))
                .expect("row id")
                .0;
            let cells = row
                .split_once("<td class=\"total\">")
                .and_then(|(_, r)| r.split_once("</td>"))
                .expect("total cell")
                .1;
            let mut col = 0;
            for td in cells.split("<td").skip(1) {
                let span: usize = td.split_once("colspan=\"").map_or(1, |(_, r)| {
                    r[..r.find('"').expect("quote")].parse().expect("n")
                });
                if let Some((_, title)) = td.split_once("title=\"") {
                    let req = title.split(' ').next().expect("title");
                    assert_eq!(columns[col], req, "{item}: cell in the wrong column");
                    found.insert((item.to_string(), req.to_string()));
                }
                col += span;
            }
            assert_eq!(col, columns.len(), "{item}: row spans the wrong width");
        }
    }
    assert!(tables > 0, "no grid on the coverage page");
    assert_eq!(
        found, expected,
        "grid cells against the catalogue's mappings"
    );
}

/// A relative link to a file the editors publish beside the site (`files/…`) is relative to
/// the site root: from a requirement's own page under `req/` it leads to the same file as
/// from its chapter page, in the statement and in the rationale.
#[test]
fn relative_file_links_lead_to_the_same_file_from_chapter_and_requirement_pages() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = edited_fixture(
        tmp.path(),
        "site-basic",
        &[
            (
                "02-handling.md",
                "[FX-RP-01] channels come first.",
                "[FX-RP-01] channels come first, as the [form](files/triage%20form.pdf) shows.",
            ),
            (
                "02-handling.md",
                "Rationale: Quick triage limits exposure.",
                "Rationale: Quick triage limits exposure ![chart](img/chart.svg).",
            ),
        ],
    );
    let files = built_site(tmp.path(), &spec);
    for page in ["02-handling.html", "req/FX-HD-01.html"] {
        let html = text_of(&files, page);
        let targets: BTreeSet<String> = attrs(&html, "href")
            .into_iter()
            .chain(attrs(&html, "src"))
            .filter(|t| t.contains("files/") || t.contains("img/"))
            .map(|t| percent_decode(&resolve(page, &t)))
            .collect();
        assert_eq!(
            targets,
            BTreeSet::from([
                "files/triage form.pdf".to_string(),
                "img/chart.svg".to_string()
            ]),
            "{page}"
        );
    }
    let catalogue: serde_json::Value =
        serde_json::from_slice(&files["catalogue.json"]).expect("catalogue");
    let entry = catalogue["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == "FX-HD-01")
        .expect("FX-HD-01");
    assert!(
        entry["statement_html"]
            .as_str()
            .is_some_and(|h| h.contains(r#"href="files/triage%20form.pdf""#)),
        "{entry}"
    );
}

/// The `site-basic` fixture with its one link from chapter 01 to chapter 02 pointing at `dest`.
fn relinked_fixture(tmp: &Path, dest: &str) -> PathBuf {
    edited_fixture(
        tmp,
        "site-basic",
        &[(
            "01-reporting.md",
            "[handling](02-handling.md#triage-rules)",
            &format!("[handling]({dest})"),
        )],
    )
}

#[test]
fn a_hash_in_a_chapter_file_name_stays_in_the_links_to_its_page() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A Markdown link names that file percent-encoded, as any URL would.
    let spec = relinked_fixture(tmp.path(), "02-handling%232.md#triage-rules");
    std::fs::rename(spec.join("02-handling.md"), spec.join("02-handling#2.md"))
        .expect("rename chapter");
    let files = built_site(tmp.path(), &spec);
    assert!(
        files.contains_key("02-handling#2.html"),
        "{:?}",
        files.keys()
    );
    check_links(&files);
    let page = text_of(&files, "req/FX-HD-01.html");
    assert!(
        page.contains(r#"href="../02-handling%232.html#FX-HD-01""#),
        "{page}"
    );
    let from = text_of(&files, "01-reporting.html");
    assert!(
        from.contains(r#"<a href="02-handling%232.html#triage-rules">handling</a>"#),
        "{from}"
    );
}

#[test]
fn a_link_to_a_chapter_that_does_not_decode_to_its_file_name_is_dangling() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = relinked_fixture(tmp.path(), "02-handling%FF.md#triage-rules");
    let err = failed_site_build(tmp.path(), &spec);
    assert!(
        err.contains("error[SB037]: link to `02-handling%FF.md`, which is not a chapter"),
        "{err}"
    );
    assert!(err.contains("did you mean `02-handling.md`?"), "{err}");
}

#[test]
fn ids_that_cannot_name_their_page_fail_with_sb050() {
    let long = format!("FX-{}", "B".repeat(300)); // longer than a file name may be
    for id in ["FX-HD#03", "FX-HD?03", "FX-HD%2003", long.as_str()] {
        let tmp = tempfile::tempdir().expect("tmp");
        let spec = edited_fixture(
            tmp.path(),
            "site-basic",
            &[
                (
                    "specbook.toml",
                    r#"id_pattern = "^FX-[A-Z]{2}-[0-9]{2}$""#,
                    r#"id_pattern = "^FX-.+$""#,
                ),
                (
                    "02-handling.md",
                    "## Notes",
                    &format!("### Odd one {{#{id}}}\n\nThe team MAY keep notes.\n\n## Notes"),
                ),
            ],
        );
        let out = tmp.path().join("site");
        let o = build(&spec, &out);
        assert_eq!(o.status.code(), Some(1), "{id}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "error[SB050]: requirement ID `{id}` cannot name its permanent page `req/<ID>.html`"
            )),
            "{id}: {err}"
        );
        assert!(err.contains("02-handling.md:"), "{id}: {err}");
        assert!(!out.exists(), "{id}: a failed build wrote output");
    }
}

#[test]
fn heading_classes_and_attributes_never_reach_the_pages() {
    let tmp = tempfile::tempdir().expect("tmp");
    // With `html = "reject"` (the default) `check` refuses them (SB034); with raw HTML allowed
    // they still have no way into the site.
    let spec = edited_fixture(
        tmp.path(),
        "site-basic",
        &[
            (
                "specbook.toml",
                "id_pattern =",
                "html = \"sanitize\"\nid_pattern =",
            ),
            (
                "02-handling.md",
                "## Notes",
                "## Notes {.injected style=\"position:fixed\" onclick=alert(1) id=sb-main}",
            ),
            (
                "02-handling.md",
                "More notes that belong to the rationale.",
                "#### Detail {#FX-HD-09 .injected style=color:red}\n\nThe team MAY add detail.",
            ),
        ],
    );
    let files = built_site(tmp.path(), &spec);
    let mut headings = 0;
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for bad in ["injected", "position:fixed", "color:red", "alert(1)"] {
            assert!(!text.contains(bad), "{path} contains `{bad}`");
        }
        headings += text.matches("<h2 id=\"notes\">Notes</h2>").count();
    }
    assert_eq!(headings, 1, "the Notes heading lost its id or its text");
}

#[test]
fn framework_items_cited_in_prose_link_to_their_text_or_their_coverage_row() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = linked_site_of_edits(
        tmp.path(),
        &[
            (
                "02-handling.md",
                "Back to [reporting]",
                "See [CRA-X-2] and [CRA-X-4]. Back to [reporting]",
            ),
            (
                "frameworks/cra.toml",
                "ref = \"Point 2\"",
                "ref = \"Point 2\"\nurl = \"https://example.org/framework#point-2\"",
            ),
        ],
    );
    let page = text_of(&files, "02-handling.html");
    assert!(
        page.contains(
            r#"<a href="https://example.org/framework#point-2" title="Point 2">CRA-X-2</a>"#
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"<a href="coverage.html#CRA-X-4" title="Point 4">CRA-X-4</a>"#),
        "{page}"
    );

    // A scheme other than https is refused where the registry is read.
    let bad = edited_fixture(
        &tmp.path().join("bad"),
        "site-basic",
        &[(
            "frameworks/cra.toml",
            "ref = \"Point 2\"",
            "ref = \"Point 2\"\nurl = \"javascript:alert(document.domain)\"",
        )],
    );
    let o = build(&bad, &tmp.path().join("bad-site"));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("frameworks/cra.toml:"), "{err}");
    assert!(err.contains("^https://"), "{err}");
}

#[test]
fn ids_that_the_templates_use_fail_with_sb050() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = edited_fixture(
        tmp.path(),
        "site-basic",
        &[
            (
                "specbook.toml",
                r#"id_pattern = "^FX-[A-Z]{2}-[0-9]{2}$""#,
                r#"id_pattern = "^(FX-[A-Z]{2}-[0-9]{2}|sb-main)$""#,
            ),
            (
                "02-handling.md",
                "## Notes",
                "### Main {#sb-main}\n\nThe team MAY keep notes.\n\n## Notes",
            ),
            (
                "policies/acme.toml",
                "id = \"acme-unused\"",
                "id = \"sb-q\"",
            ),
            ("frameworks/cra.toml", "id = \"CRA-X-4\"", "id = \"fw-cra\""),
        ],
    );
    let err = failed_site_build(tmp.path(), &spec);
    assert!(
        err.contains(
            "error[SB050]: requirement ID `sb-main` is an element id of the site's own pages"
        ),
        "{err}"
    );
    assert!(
        err.contains("error[SB050]: document id `sb-q` is an element id of the site's own pages"),
        "{err}"
    );
    assert!(err.contains("policies/acme.toml:"), "{err}");
    assert!(
        err.contains(
            "error[SB050]: framework item id `fw-cra` is an element id of the site's own pages"
        ),
        "{err}"
    );
}

#[test]
fn only_the_search_page_asks_not_to_be_indexed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("site");
    let o = build(&fixture("site-basic"), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let robots = r#"<meta name="robots" content="noindex">"#;
    for (path, bytes) in tree(&out).iter().filter(|(p, _)| p.ends_with(".html")) {
        let page = String::from_utf8_lossy(bytes);
        assert_eq!(page.contains(robots), path == "search.html", "{path}");
    }
}

/// A chapter whose page name would be longer than a file name may be is SB050 at the chapter,
/// not an I/O error with no place.
#[test]
fn a_chapter_too_long_to_name_its_page_fails_with_sb050() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = edited_fixture(
        tmp.path(),
        "site-basic",
        &[(
            "01-reporting.md",
            "[handling](02-handling.md#triage-rules)",
            "handling",
        )],
    );
    let long = format!("{}.md", "h".repeat(252)); // 255 bytes; its page would be 257
    std::fs::rename(spec.join("02-handling.md"), spec.join(&long)).expect("rename chapter");
    let err = failed_site_build(tmp.path(), &spec);
    assert!(err.contains("error[SB050]: chapter `"), "{err}");
    assert!(err.contains("longer than 255 bytes"), "{err}");
}

/// Footnotes: a chapter page is rendered in pieces, yet every reference links to its note,
/// each note is shown once at the end of the page, and no note is part of a statement.
#[test]
fn footnotes_link_to_notes_shown_once_at_the_end_of_the_chapter() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = linked_site_of_edits(
        tmp.path(),
        &[
            (
                "02-handling.md",
                "# Handling\n",
                "# Handling\n\nTriage follows the intake rules[^intake].\n",
            ),
            (
                "02-handling.md",
                "The security team SHOULD triage every report within seven days.",
                "The security team SHOULD triage every report within seven days[^days].",
            ),
            (
                "02-handling.md",
                "Back to [reporting](01-reporting.md#channels).",
                "Back to [reporting](01-reporting.md#channels).\n\n[^days]: Calendar days, not working days.\n\n[^intake]: See the [reporting](01-reporting.md) chapter.\n",
            ),
        ],
    );
    let page = text_of(&files, "02-handling.html");
    assert!(
        !page.contains("[^"),
        "a footnote reference stayed text: {page}"
    );
    for label in ["days", "intake"] {
        let reference = format!(r#"<a href="02-handling.html#fn%3A{label}">{label}</a>"#);
        assert_eq!(page.matches(&reference).count(), 1, "{label}: {page}");
        assert_eq!(
            page.matches(&format!(r#"id="fn:{label}""#)).count(),
            1,
            "{label}"
        );
    }
    assert!(
        page.contains("<dd><p>Calendar days, not working days.</p>"),
        "{page}"
    );
    assert!(
        page.contains(r#"See the <a href="01-reporting.html">reporting</a> chapter."#),
        "{page}"
    );
    let req = text_of(&files, "req/FX-HD-01.html");
    assert!(
        req.contains(r#"<a href="../02-handling.html#fn%3Adays">days</a>"#),
        "{req}"
    );
    let cat: serde_json::Value = serde_json::from_slice(&files["catalogue.json"]).expect("json");
    let entry = cat["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == "FX-HD-01")
        .expect("FX-HD-01");
    for field in ["statement", "rationale"] {
        let text = entry[field].as_str().unwrap_or_default();
        assert!(!text.contains("Calendar"), "{field}: {text}");
    }
}

/// An asset whose name no output folder may hold is SB050 at the asset, not an I/O error.
#[cfg(unix)]
#[test]
fn an_asset_named_with_a_backslash_fails_with_sb050() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = edited_fixture(tmp.path(), "site-basic", &[]);
    std::fs::create_dir_all(spec.join("site/static")).expect("mkdir");
    std::fs::write(spec.join("site/static/a\\b.css"), "p {}").expect("asset");
    let err = failed_site_build(tmp.path(), &spec);
    assert!(
        err.contains("error[SB050]: `site/static/a\\b.css` cannot be published"),
        "{err}"
    );
}

#[test]
fn a_sub_heading_of_a_requirement_sits_under_the_h1_of_its_own_page() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = linked_site_of_edits(
        tmp.path(),
        &[(
            "02-handling.md",
            "Reports that name\n[FX-RP-01] channels come first.\n",
            "Reports that name\n[FX-RP-01] channels come first.\n\n#### Escalation\n\nUnanswered reports go to the steward.\n",
        )],
    );
    let chapter = text_of(&files, "02-handling.html");
    assert!(
        chapter.contains(r#"<h4 id="escalation">Escalation</h4>"#),
        "{chapter}"
    );
    let page = text_of(&files, "req/FX-HD-01.html");
    assert!(
        page.contains(r#"<h2 id="escalation">Escalation</h2>"#),
        "{page}"
    );
    assert!(!page.contains("<h4") && !page.contains("<h3"), "{page}");
}

#[test]
fn a_footnote_reference_in_other_capitals_links_to_its_note() {
    let tmp = tempfile::tempdir().expect("tmp");
    let files = linked_site_of_edits(
        tmp.path(),
        &[(
            "02-handling.md",
            "Back to [reporting](01-reporting.md#channels).",
            "Back to [reporting](01-reporting.md#channels), as the Note says[^Note].\n\n[^note]: Labels match in any case.\n",
        )],
    );
    let page = text_of(&files, "02-handling.html");
    assert!(
        page.contains(r#"<a href="02-handling.html#fn%3Anote">Note</a>"#),
        "{page}"
    );
    assert_eq!(page.matches(r#"id="fn:note""#).count(), 1, "{page}");
}

#[test]
fn a_section_of_a_document_that_is_itself_a_fragment_gets_one_fragment() {
    let tmp = tempfile::tempdir().expect("tmp");
    let spec = edited_fixture(
        tmp.path(),
        "site-basic",
        &[(
            "policies/acme.toml",
            "url = \"https://acme.example/security/\"",
            "url = \"https://acme.example/handbook/#security\"",
        )],
    );
    let files = built_site(tmp.path(), &spec);
    let page = text_of(&files, "org/acme.html");
    assert!(
        page.contains(r#"<a href="https://acme.example/handbook/#report">Reporting</a>"#),
        "{page}"
    );
    assert!(!page.contains("#security#"), "{page}");
}

/// `check` reports what `build` would refuse before rendering a page, so a spec that checks
/// clean also builds.
#[test]
fn check_reports_the_templates_and_page_names_build_would_refuse() {
    let check = |spec: &Path| {
        Command::new(env!("CARGO_BIN_EXE_specbook"))
            .args(["check", spec.to_str().expect("utf-8")])
            .env("NO_COLOR", "1")
            .output()
            .expect("runs")
    };
    let o = check(&fixture("site-broken-template"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("error[SB050]"), "{err}");
    assert!(err.contains("site/templates/chapter.html:6:4"), "{err}");

    let tmp = tempfile::tempdir().expect("tmp");
    let spec = tmp.path().join("spec");
    std::fs::create_dir_all(&spec).expect("mkdir");
    std::fs::write(
        spec.join("specbook.toml"),
        "title = \"T\"\nversion = \"1\"\nid_pattern = \".*\"\n",
    )
    .expect("write");
    std::fs::write(
        spec.join("index.md"),
        "# Index\n\n## R {#R/1}\n\nIt MUST x.\n",
    )
    .expect("write");
    let o = check(&spec);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("would be published as `index.html`"), "{err}");
    assert!(
        err.contains("`R/1` cannot name its permanent page"),
        "{err}"
    );
    assert!(err.contains("2 errors"), "{err}");
    assert_eq!(
        failed_site_build(tmp.path(), &spec)
            .matches("error[SB050]")
            .count(),
        2
    );
}
