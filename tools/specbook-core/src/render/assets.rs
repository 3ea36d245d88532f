//! The site's templates and static assets: the built-in ones (from `site/`, embedded in the
//! binary) and a spec's overrides in `<spec>/site/templates` and `<spec>/site/static`, read
//! safely (inside the spec folder only, size-limited, templates UTF-8 and named `*.html`).

use super::{Place, Problem};
use crate::config::Limits;
use crate::diag::Code;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// Built-in templates by name. Every name ends in `.html`, so tera autoescapes all of them.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../../../site/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../../../site/templates/index.html"),
    ),
    (
        "chapter.html",
        include_str!("../../../../site/templates/chapter.html"),
    ),
    (
        "requirement.html",
        include_str!("../../../../site/templates/requirement.html"),
    ),
    (
        "req-block.html",
        include_str!("../../../../site/templates/req-block.html"),
    ),
    (
        "req-meta.html",
        include_str!("../../../../site/templates/req-meta.html"),
    ),
    (
        "requirements.html",
        include_str!("../../../../site/templates/requirements.html"),
    ),
    (
        "organisation.html",
        include_str!("../../../../site/templates/organisation.html"),
    ),
    (
        "organisations.html",
        include_str!("../../../../site/templates/organisations.html"),
    ),
    (
        "coverage.html",
        include_str!("../../../../site/templates/coverage.html"),
    ),
    (
        "search.html",
        include_str!("../../../../site/templates/search.html"),
    ),
    (
        "moved.html",
        include_str!("../../../../site/templates/moved.html"),
    ),
];

/// Built-in static assets, published under `static/`.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../../../site/static/style.css"),
    ),
    ("site.js", include_bytes!("../../../../site/static/site.js")),
    (
        "favicon.svg",
        include_bytes!("../../../../site/static/favicon.svg"),
    ),
];

/// Folder of template overrides, relative to the spec folder.
pub const TEMPLATES_DIR: &str = "site/templates";
/// Folder of static asset overrides, relative to the spec folder.
pub const STATIC_DIR: &str = "site/static";

/// A template read from the spec's `site/templates`.
#[derive(Clone, Debug)]
pub(crate) struct Override {
    /// Path relative to the spec folder (`site/templates/base.html`).
    pub(crate) path: String,
    /// Its text.
    pub(crate) text: String,
}

/// Everything a spec's `site/` folder overrides or adds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Overrides {
    /// Template name (path below `site/templates`) → template.
    pub(crate) templates: BTreeMap<String, Override>,
    /// Path below `site/static` → bytes.
    pub(crate) statics: BTreeMap<String, Vec<u8>>,
}

/// Reads the overrides of the spec at `root`; problems are reported, the rest still loaded.
pub(crate) fn load_overrides(
    root: &Path,
    limits: &Limits,
    problems: &mut Vec<Problem>,
) -> Overrides {
    let mut out = Overrides::default();
    let Ok(canon) = root.canonicalize() else {
        return out;
    };
    let mut count = 0usize;
    for (dir, is_template) in [(TEMPLATES_DIR, true), (STATIC_DIR, false)] {
        let base = canon.join(dir);
        if std::fs::symlink_metadata(&base).is_err() {
            continue;
        }
        match base.canonicalize() {
            Ok(real) if real.starts_with(&canon) && real.is_dir() => {}
            Ok(_) => {
                problems.push(Problem::new(
                    Place::new_file(dir, ""),
                    0..0,
                    Code::OutsideRoot,
                    format!("`{dir}` is not a folder inside the spec folder"),
                    "make it a real folder inside the folder holding specbook.toml",
                ));
                continue;
            }
            Err(e) => {
                problems.push(Problem::new(
                    Place::new_file(dir, ""),
                    0..0,
                    Code::Io,
                    format!("cannot read `{dir}`: {e}"),
                    "check that the folder exists and is readable",
                ));
                continue;
            }
        }
        let walk = walkdir::WalkDir::new(&base)
            .min_depth(1)
            .max_depth(16)
            .follow_links(false)
            .sort_by_file_name();
        for entry in walk {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    problems.push(Problem::new(
                        Place::new_file(dir, ""),
                        0..0,
                        Code::Io,
                        format!("cannot list `{dir}`: {e}"),
                        "check the folder's permissions",
                    ));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            let Ok(below) = entry.path().strip_prefix(&base) else {
                continue;
            };
            let below: Vec<String> = below
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if below.iter().any(|c| c.starts_with('.')) {
                continue; // editor swap files, .DS_Store, .gitkeep
            }
            let below = below.join("/");
            let rel = format!("{dir}/{below}");
            // The output may only hold portable names (see `load::is_contained`).
            if below.contains(['\\', '\u{FFFD}']) || below.chars().any(char::is_control) {
                problems.push(Problem::new(
                    Place::new_file(&rel, ""),
                    0..0,
                    Code::TemplateError,
                    format!("`{rel}` cannot be published: its name holds a backslash, a control character or bytes that are not UTF-8"),
                    "rename the file",
                ));
                continue;
            }
            count += 1;
            if count > limits.max_files {
                problems.push(Problem::new(
                    Place::new_file(&rel, ""),
                    0..0,
                    Code::TooLarge,
                    format!("more than {} files in `site/`", limits.max_files),
                    "remove files from the spec's site folder, or raise `limits.max_files` in specbook.toml",
                ));
                return out;
            }
            let bytes = match read(&canon, entry.path(), &rel, limits.max_file_bytes) {
                Ok(b) => b,
                Err(p) => {
                    problems.push(*p);
                    continue;
                }
            };
            if !is_template {
                out.statics.insert(below, bytes);
                continue;
            }
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let lossy = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
                    let at = lossy.len();
                    let full = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    problems.push(Problem::new(
                        Place::new_file(&rel, &full),
                        at..at,
                        Code::NotUtf8,
                        format!("`{rel}` is not valid UTF-8"),
                        "save the template as UTF-8",
                    ));
                    continue;
                }
            };
            if !below.ends_with(".html") {
                problems.push(Problem::new(
                    Place::new_file(&rel, &text),
                    0..0,
                    Code::TemplateError,
                    format!("template `{below}` is not named `*.html`"),
                    "name every template `*.html`, so that everything it prints is HTML-escaped",
                ));
                continue;
            }
            out.templates.insert(below, Override { path: rel, text });
        }
    }
    out
}

/// Reads one file below the spec folder `canon`, refusing links out of it and oversized files.
fn read(canon: &Path, path: &Path, rel: &str, max: u64) -> Result<Vec<u8>, Box<Problem>> {
    let problem = |code: Code, message: String, help: &str| {
        Box::new(Problem::new(
            Place::new_file(rel, ""),
            0..0,
            code,
            message,
            help,
        ))
    };
    let io = |e: std::io::Error| {
        problem(
            Code::Io,
            format!("cannot read `{rel}`: {e}"),
            "check that the file exists and is readable",
        )
    };
    let real = path.canonicalize().map_err(io)?;
    if !real.starts_with(canon) {
        return Err(problem(
            Code::OutsideRoot,
            format!("`{rel}` resolves outside the spec folder"),
            "a symlink may not lead out of the folder holding specbook.toml; copy the file in instead",
        ));
    }
    if !real.is_file() {
        return Err(problem(
            Code::Io,
            format!("`{rel}` is not a regular file"),
            "keep only files in the site folder",
        ));
    }
    let file = std::fs::File::open(&real).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(problem(
            Code::TooLarge,
            format!("`{rel}` is larger than the limit of {max} bytes"),
            "make the file smaller, or raise `limits.max_file_bytes` in specbook.toml",
        ));
    }
    Ok(bytes)
}
