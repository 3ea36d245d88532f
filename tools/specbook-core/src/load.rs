//! Stage 1, load: reads `specbook.toml`, the chapter files and the registry files of a spec folder
//! into a [`SourceMap`], enforcing the size limit, UTF-8 and the rule that no path leaves the folder.

use crate::config::{Config, Limits};
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::toml_json;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Name of the config file that makes a folder a spec.
pub const CONFIG_FILE: &str = "specbook.toml";

/// What the load stage produces.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The spec folder as given.
    pub root: PathBuf,
    /// Every file read (and every file that failed, with empty text, so diagnostics can name it).
    pub sources: SourceMap,
    /// The config, or a stand-in when it was invalid (the diagnostics say so).
    pub config: Config,
    /// The config file.
    pub config_file: FileId,
    /// Chapter files in reading order (only those read successfully).
    pub chapters: Vec<FileId>,
    /// `policies/*.toml`, sorted.
    pub policies: Vec<FileId>,
    /// `frameworks/*.toml`, sorted.
    pub frameworks: Vec<FileId>,
}

/// The UTF-8 byte-order mark, which the loader drops from the start of a file.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Errors that stop the load stage: the folder is not a spec folder or cannot be listed.
#[derive(Debug)]
pub enum LoadError {
    /// The folder has no `specbook.toml`.
    NotASpec(PathBuf),
    /// Listing or reading failed.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotASpec(p) if p.is_file() => {
                let folder = match p.parent().map(Path::as_os_str) {
                    Some(parent) if !parent.is_empty() => parent.to_string_lossy(),
                    _ => ".".into(),
                };
                write!(
                    f,
                    "{} is a file: name the spec folder that holds {CONFIG_FILE} (here `{folder}`)",
                    p.display()
                )
            }
            LoadError::NotASpec(p) => write!(
                f,
                "{} is not a spec folder: it has no {CONFIG_FILE}",
                p.display()
            ),
            LoadError::Io(p, e) => write!(f, "cannot read {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads the spec folder at `root`.
pub fn load(root: &Path) -> Result<(Loaded, Vec<Diagnostic>), LoadError> {
    let canon = root
        .canonicalize()
        .map_err(|e| LoadError::Io(root.to_path_buf(), e))?;
    if !canon.join(CONFIG_FILE).is_file() {
        return Err(LoadError::NotASpec(root.to_path_buf()));
    }
    let mut diags = Vec::new();
    let mut sources = SourceMap::default();
    let mut reader = Reader {
        canon: &canon,
        limits: Limits::default(),
    };

    let (config_file, ok) = reader.read(&mut sources, &mut diags, CONFIG_FILE);
    let (config, config_diags) = if ok {
        decode_config(&sources, config_file)
    } else {
        (None, Vec::new())
    };
    diags.extend(config_diags);
    let config = config.unwrap_or_else(|| Config::minimal("", ""));
    reader.limits = config.limits.clone();

    let chapter_paths = match &config.chapters {
        Some(list) => {
            // A chapter listed twice is read once; the second entry is reported.
            let mut seen = std::collections::BTreeSet::new();
            let mut unique = Vec::with_capacity(list.len());
            for (i, path) in list.iter().enumerate() {
                // `01.md`, `./01.md` and `.//01.md` name one file.
                let normal: std::path::PathBuf = Path::new(path)
                    .components()
                    .filter(|c| !matches!(c, Component::CurDir))
                    .collect();
                if seen.insert(normal) {
                    unique.push(path.clone());
                } else {
                    // The entry as written, after as many entries written the same way.
                    let needle = format!("\"{path}\"");
                    let first = config_key_span(&sources, config_file, &needle);
                    let before = list[..i].iter().filter(|p| *p == path).count();
                    let text = &sources.get(config_file).text;
                    let span = text[first.start..]
                        .match_indices(&needle)
                        .nth(before)
                        .map_or(first.clone(), |(at, _)| {
                            first.start + at..first.start + at + needle.len()
                        });
                    diags.push(
                        Diagnostic::new(
                            Code::ConfigInvalid,
                            config_file,
                            span,
                            format!("chapter `{path}` is listed twice in `chapters`"),
                        )
                        .with_label("again here")
                        .with_help("list each chapter file once"),
                    );
                }
            }
            unique
        }
        None => list_dir(&canon, "", "md")?,
    };
    // Chapters are read in parallel (most of the time is system calls) and recorded in order.
    let texts: Vec<Option<ReadResult>> = {
        use rayon::prelude::*;
        chapter_paths
            .par_iter()
            .map(|path| is_contained(path).then(|| reader.read_source(path)))
            .collect()
    };
    let mut chapters = Vec::new();
    for (path, text) in chapter_paths.into_iter().zip(texts) {
        let Some(text) = text else {
            let shown = path.replace('\0', "\\0");
            let climbs =
                path.split(['/', '\\']).any(|c| c == "..") || path.starts_with(['/', '\\']);
            // `a/../b` stays inside, but `..` is refused all the same.
            let mut depth = 0i32;
            let escapes = path.starts_with(['/', '\\'])
                || path.split(['/', '\\']).any(|c| {
                    depth += match c {
                        ".." => -1,
                        "" | "." => 0,
                        _ => 1,
                    };
                    depth < 0
                });
            let message = if path.is_empty() {
                "a chapter path is empty".to_string()
            } else if !climbs && path.contains(['\\', '\0']) {
                format!(
                    "chapter path `{shown}` holds a backslash or NUL, which no portable path may"
                )
            } else if escapes {
                format!("chapter path `{shown}` leaves the spec folder")
            } else {
                format!("chapter path `{shown}` goes through `..`, which chapter paths may not")
            };
            let d = Diagnostic::new(Code::OutsideRoot, config_file, config_key_span(&sources, config_file, &path), message)
                .with_help("chapter paths are relative to the folder holding specbook.toml, use `/` between folders and may not contain `..`");
            diags.push(d);
            continue;
        };
        let before = diags.len();
        let (id, ok) = Reader::record(&mut sources, &mut diags, text);
        if ok {
            chapters.push(id);
        } else if config.chapters.is_some() {
            // A listed chapter that cannot be read: point at its entry in the list.
            let span = config_key_span(&sources, config_file, &format!("\"{path}\""));
            for d in &mut diags[before..] {
                if d.code == Code::Io {
                    d.primary = crate::diag::Label {
                        file: config_file,
                        span: span.clone(),
                        message: "listed here".into(),
                    };
                }
            }
        }
    }
    let mut registry = |dir: &str| -> Result<Vec<FileId>, LoadError> {
        let mut ids = Vec::new();
        if canon.join(dir).is_dir() {
            for name in list_dir(&canon, dir, "toml")? {
                let (id, ok) = reader.read(&mut sources, &mut diags, &name);
                if ok {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    };
    let policies = registry("policies")?;
    let frameworks = registry("frameworks")?;
    Ok((
        Loaded {
            root: root.to_path_buf(),
            sources,
            config,
            config_file,
            chapters,
            policies,
            frameworks,
        },
        diags,
    ))
}

fn decode_config(sources: &SourceMap, file: FileId) -> (Option<Config>, Vec<Diagnostic>) {
    let text = &sources.get(file).text;
    let doc = match toml_json::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let d = Diagnostic::new(
                Code::ConfigInvalid,
                file,
                e.span,
                format!("invalid TOML: {}", e.message),
            )
            .with_help(
                "fix the TOML syntax; the minimal config is `title = \"…\"` and `version = \"…\"`",
            );
            return (None, vec![d]);
        }
    };
    let validator = crate::schema::validator(crate::schema::Kind::Config);
    let mut diags = toml_json::validate(
        validator,
        &doc,
        file,
        0,
        Code::ConfigInvalid,
        "specbook.toml",
    );
    let config: Option<Config> = if diags.is_empty() {
        serde_json::from_value(doc.value.clone()).ok()
    } else {
        None
    };
    if let Some(c) = &config {
        if let Err(e) = regex::Regex::new(c.id_pattern()) {
            let span = doc.spans_of("/id_pattern").value;
            diags.push(
                Diagnostic::new(
                    Code::ConfigInvalid,
                    file,
                    span,
                    format!("`id_pattern` is not a valid regular expression: {e}"),
                )
                .with_help("use Rust `regex` syntax, e.g. `^SDP-[A-Z]{2}-[0-9]{2}$`"),
            );
            return (None, diags);
        }
        for (key, schema) in &c.extra_fields {
            if let Err(e) = toml_json::compile(schema) {
                let span = doc.spans_of(&format!("/extra_fields/{key}")).value;
                diags.push(
                    Diagnostic::new(
                        Code::ConfigInvalid,
                        file,
                        span,
                        format!("extra field `{key}` has an invalid JSON Schema: {e}"),
                    )
                    .with_help("give a JSON Schema such as `{ type = \"string\" }`"),
                );
            }
        }
    }
    (config, diags)
}

fn config_key_span(sources: &SourceMap, file: FileId, needle: &str) -> std::ops::Range<usize> {
    let text = &sources.get(file).text;
    // Searched from the `chapters =` line on, so that a commented-out example above it (as
    // `specbook init` writes one) is not taken for the entry.
    let from = text
        .match_indices("chapters")
        .map(|(i, _)| i)
        .find(|&i| {
            let line = text[..i].rfind('\n').map_or(0, |n| n + 1);
            text[line..i].trim().is_empty()
                && text[i + "chapters".len()..].trim_start().starts_with('=')
        })
        .unwrap_or(0);
    // The needle as written in TOML (basic strings escape backslashes), or as is.
    let escaped = needle.replace('\\', "\\\\");
    [escaped.as_str(), needle]
        .iter()
        .find_map(|n| text[from..].find(n).map(|i| from + i..from + i + n.len()))
        .unwrap_or(0..0)
}

/// True when a relative path stays inside its folder.
pub fn is_contained(path: &str) -> bool {
    let p = Path::new(path);
    // Backslashes and NUL are refused outright: on Windows a backslash is a separator, so a path
    // that is harmless here could escape there.
    !path.is_empty()
        && !path.contains(['\\', '\0'])
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

fn list_dir(canon: &Path, dir: &str, ext: &str) -> Result<Vec<String>, LoadError> {
    let base = canon.join(dir);
    let mut names = Vec::new();
    for entry in walkdir::WalkDir::new(&base)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| LoadError::Io(base.clone(), e.into()))?;
        let name = entry.file_name().to_string_lossy().to_string();
        let is_file_like = entry.file_type().is_file() || entry.file_type().is_symlink();
        if is_file_like && Path::new(&name).extension().is_some_and(|e| e == ext) {
            names.push(if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            });
        }
    }
    Ok(names)
}

/// A file's text, or why it is unusable: code, message, help, the text to show (possibly
/// empty) and the offset to point at.
type TextResult = Result<String, (Code, String, String, String, usize)>;

/// A file as read, with its line index built: its source (empty or partial when unusable) and,
/// if it is unusable, why: code, message, help and the offset to point at.
type ReadResult = (SourceFile, Option<(Code, String, String, usize)>);

struct Reader<'a> {
    canon: &'a Path,
    limits: Limits,
}

impl Reader<'_> {
    /// Reads `rel` into the map. Returns its id and whether it is usable.
    fn read(
        &self,
        sources: &mut SourceMap,
        diags: &mut Vec<Diagnostic>,
        rel: &str,
    ) -> (FileId, bool) {
        Self::record(sources, diags, self.read_source(rel))
    }

    /// Reads `rel` and indexes its lines; safe to run on many files at once.
    fn read_source(&self, rel: &str) -> ReadResult {
        match self.read_text(rel) {
            Ok(text) => (SourceFile::new(rel, text), None),
            Err((code, message, help, text, at)) => {
                (SourceFile::new(rel, text), Some((code, message, help, at)))
            }
        }
    }

    /// Adds what reading a file gave to the map, and a diagnostic if it is unusable. Returns its
    /// id and whether it is usable.
    fn record(
        sources: &mut SourceMap,
        diags: &mut Vec<Diagnostic>,
        read: ReadResult,
    ) -> (FileId, bool) {
        let (file, problem) = read;
        let id = sources.add(file);
        match problem {
            None => (id, true),
            Some((code, message, help, at)) => {
                diags.push(Diagnostic::new(code, id, at..at, message).with_help(help));
                (id, false)
            }
        }
    }

    fn read_text(&self, rel: &str) -> TextResult {
        let path = self.canon.join(rel);
        let io = |e: std::io::Error| {
            // The folder listing shows a name that is not UTF-8 with U+FFFD in its place, which
            // names no file.
            let (message, help) = if rel.contains('\u{FFFD}') {
                (
                    format!("the file name `{rel}` is not valid UTF-8"),
                    "rename the file: specbook reads names in UTF-8 only",
                )
            } else {
                (
                    format!("cannot read `{rel}`: {e}"),
                    "check that the file exists and is readable",
                )
            };
            (Code::Io, message, help.to_string(), String::new(), 0)
        };
        // A file directly in the (canonical) spec folder that is not a symbolic link is where it
        // seems to be; anything else is resolved, which costs a system call per path component.
        // Only a bare file name counts: `lstat` follows a symlink named with a trailing slash
        // (`evil/`), and `..` or `.` name no file.
        let name = rel.trim_start_matches("./");
        let plain = !name.contains('/')
            && Path::new(name).file_name().is_some_and(|n| n == name)
            && std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_symlink());
        let real = if plain {
            path
        } else {
            path.canonicalize().map_err(io)?
        };
        if !real.starts_with(self.canon) {
            return Err((
                Code::OutsideRoot,
                format!("`{rel}` resolves outside the spec folder"),
                "a symlink or path may not lead out of the folder holding specbook.toml; copy the file in instead".into(),
                String::new(),
                0,
            ));
        }
        // Opening a named pipe or a device would block or never end: only regular files are read.
        if !std::fs::metadata(&real).map_err(io)?.is_file() {
            return Err((
                Code::Io,
                format!("`{rel}` is not a regular file"),
                "a chapter or registry must be a plain file (not a pipe, socket, device or folder)"
                    .into(),
                String::new(),
                0,
            ));
        }
        let file = std::fs::File::open(&real).map_err(io)?;
        let max = self.limits.max_file_bytes;
        // Sized from the metadata (capped by the limit), so the text is not held with up to
        // twice its length of spare capacity; `take` still enforces the limit if it grew.
        let hint = file
            .metadata()
            .map_or(0, |m| m.len().min(max.saturating_add(1)));
        let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0).saturating_add(1));
        file.take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > max {
            return Err((
                Code::TooLarge,
                format!("`{rel}` is larger than the limit of {max} bytes"),
                "split the file, or raise `limits.max_file_bytes` in specbook.toml".into(),
                String::new(),
                0,
            ));
        }
        if bytes.starts_with(BOM) {
            bytes.drain(..BOM.len()); // a byte-order mark is not content
        }
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let at = lossy
                .char_indices()
                .map(|(i, _)| i)
                .nth(String::from_utf8_lossy(&e.as_bytes()[..at]).chars().count())
                .unwrap_or(lossy.len());
            (
                Code::NotUtf8,
                format!("`{rel}` is not valid UTF-8"),
                "save the file as UTF-8".into(),
                lossy,
                at,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment() {
        assert!(is_contained("a.md"));
        assert!(is_contained("./dir/a.md"));
        assert!(!is_contained("../a.md"));
        assert!(!is_contained("/etc/passwd"));
        assert!(!is_contained("a/../../b.md"));
        assert!(!is_contained(""));
        assert!(!is_contained("..\\..\\x.md"));
    }
}
