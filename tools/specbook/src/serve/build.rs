//! The preview's builder: decides what a batch of changed paths needs (nothing, the site only,
//! or the whole pipeline), rebuilds into memory, reports to the terminal, and publishes the new
//! snapshot, keeping the last good build when the new one fails.

use super::state::{App, Snapshot};
use specbook_core::diag::{Diagnostic, DiagnosticCounts, Severity};
use specbook_core::diag_render;
use specbook_core::output::Files;
use specbook_core::pipeline::{self, Checked, Env};
use specbook_core::publish::{self, PublishError};
use specbook_core::source::SourceMap;
use std::io::{IsTerminal, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a batch of file changes requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Need {
    /// Nothing the build reads changed.
    Nothing,
    /// Only `site/` (templates, assets) changed: render again from the last check.
    Site,
    /// A chapter, the config or a registry changed: run the whole pipeline.
    Sources,
}

/// A build not shown yet.
pub(crate) struct Pending {
    /// How long the build took.
    took: Duration,
    /// The check that ran, if the pipeline ran.
    check: Option<Checked>,
    /// Whether the pipeline ran and failed before checking anything (no config, say): what the
    /// builder remembers of the last load no longer describes the folder.
    unloaded: bool,
    /// Diagnostics for the terminal.
    terminal: Option<String>,
    /// The site, or why there is none (`None`: nothing to do).
    result: Option<Result<Files, Problems>>,
}

/// Why a build has no site.
pub(crate) struct Problems {
    /// For the page overlay: the errors, plain.
    overlay: String,
    /// For the terminal, when it differs from the check's report.
    terminal: Option<String>,
}

impl Problems {
    fn text(text: String) -> Self {
        Self {
            overlay: text,
            terminal: None,
        }
    }
}

/// Rebuilds the spec at `root` and publishes the results to `app`.
pub(crate) struct Builder {
    root: PathBuf,
    canon: PathBuf,
    env: Env,
    app: App,
    /// The last check shown that had no errors (the site can be rendered again from it).
    good: Option<Checked>,
    /// The sources and chapter list of the last load, to tell real changes from touches.
    sources: Option<SourceMap>,
    chapters: Option<Vec<String>>,
    max_file_bytes: u64,
    last_report: String,
    styled: bool,
}

impl Builder {
    /// A builder for the spec folder `root` (already canonicalised as `canon`).
    pub(crate) fn new(root: PathBuf, canon: PathBuf, env: Env, app: App) -> Self {
        Self {
            root,
            canon,
            env,
            app,
            good: None,
            sources: None,
            chapters: None,
            max_file_bytes: 8 * 1024 * 1024,
            last_report: String::new(),
            styled: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// The path of `path` relative to the spec folder, with `/`, if it is inside it.
    fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.canon).ok()?;
        let mut parts = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(s) => parts.push(s.to_str()?.to_string()),
                _ => return None,
            }
        }
        Some(parts.join("/"))
    }

    /// What a change of `path` requires.
    pub(crate) fn need_of(&self, path: &Path) -> Need {
        let Some(rel) = self.relative(path) else {
            return Need::Nothing;
        };
        classify(&rel, self.chapters.as_deref())
    }

    /// What a batch of changed paths requires, after dropping chapter and registry files whose
    /// content did not actually change (an editor saving without edits, `touch`).
    pub(crate) fn need(&self, paths: &[PathBuf]) -> Need {
        let mut need = Need::Nothing;
        for p in paths {
            let n = self.need_of(p);
            if n == Need::Sources && self.unchanged(p) {
                continue;
            }
            need = need.max(n);
        }
        need
    }

    fn unchanged(&self, path: &Path) -> bool {
        let (Some(sources), Some(rel)) = (&self.sources, self.relative(path)) else {
            return false;
        };
        let Some(id) = sources.find(&rel) else {
            return false;
        };
        let Ok(file) = std::fs::File::open(path) else {
            return false;
        };
        let mut bytes = Vec::new();
        if file
            .take(self.max_file_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .is_err()
        {
            return false;
        }
        bytes == sources.get(id).text.as_bytes()
    }

    /// Builds what `need` says, without showing the result yet: the caller commits it only if
    /// no further change arrived meanwhile.
    pub(crate) fn prepare(&self, need: Need) -> Pending {
        let start = Instant::now();
        let mut p = Pending {
            took: Duration::ZERO,
            check: None,
            unloaded: false,
            terminal: None,
            result: None,
        };
        match (need, &self.good) {
            (Need::Nothing, _) => {}
            (Need::Site, Some(good)) => {
                p.result = Some(self.render(good));
            }
            (Need::Site | Need::Sources, _) => match pipeline::check(&self.root, &self.env) {
                Err(e) => {
                    let text = format!("error: {e}");
                    p.unloaded = true;
                    p.terminal = Some(text.clone());
                    p.result = Some(Err(Problems::text(text)));
                }
                Ok(checked) => {
                    let (overlay, terminal) =
                        self.report(&checked.diagnostics, &checked.loaded.sources);
                    p.terminal = Some(terminal);
                    p.result = Some(if checked.failed(false) {
                        Err(Problems {
                            overlay,
                            terminal: None,
                        })
                    } else {
                        self.render(&checked)
                    });
                    p.check = Some(checked);
                }
            },
        }
        p.took = start.elapsed();
        p
    }

    /// Renders the site of a check without errors: the files, or why not.
    fn render(&self, checked: &Checked) -> Result<Files, Problems> {
        match publish::files(checked) {
            Ok(files) => Ok(files),
            Err(PublishError::Site(failed)) => {
                let (overlay, terminal) = self.report(&failed.diagnostics, &failed.sources);
                Err(Problems {
                    overlay,
                    terminal: Some(terminal),
                })
            }
            Err(e) => Err(Problems::text(format!("error: {e}"))),
        }
    }

    /// Shows a prepared build: prints its diagnostics, and serves its files (or keeps serving
    /// the last good build and reports the problems).
    pub(crate) fn commit(&mut self, p: Pending) {
        let Some(result) = p.result else { return };
        if let Some(checked) = p.check {
            self.sources = Some(checked.loaded.sources.clone());
            self.chapters = checked.loaded.config.chapters.clone();
            self.max_file_bytes = checked.loaded.config.limits.max_file_bytes;
            self.good = (!checked.failed(false)).then_some(checked);
        } else if p.unloaded {
            // The next change is compared with nothing, and the site is never rendered again
            // from a check of a folder that has since stopped being a spec.
            self.sources = None;
            self.good = None;
        }
        if let Some(terminal) = &p.terminal {
            self.print_if_new(terminal);
        }
        match result {
            Ok(files) => self.succeed(files, p.took),
            Err(problems) => {
                if let Some(terminal) = &problems.terminal {
                    self.print_if_new(terminal);
                }
                self.fail(problems.overlay, p.took);
            }
        }
    }

    /// The diagnostics as (overlay text: errors only, plain; terminal text: all, styled when
    /// stderr is a terminal).
    fn report(&self, diagnostics: &[Diagnostic], sources: &SourceMap) -> (String, String) {
        let mut overlay = String::new();
        let mut terminal = String::new();
        for d in diagnostics {
            let text = diag_render::human(d, sources, false);
            if d.severity == Severity::Error {
                overlay.push_str(&text);
                overlay.push_str("\n\n");
            }
            terminal.push_str(&if self.styled {
                diag_render::human(d, sources, true)
            } else {
                text
            });
            terminal.push_str("\n\n");
        }
        let summary = diag_render::summary(&DiagnosticCounts::of(diagnostics));
        overlay.push_str(&summary);
        terminal.push_str(&summary);
        (overlay, terminal)
    }

    fn print_if_new(&mut self, terminal: &str) {
        if terminal != self.last_report {
            eprintln!("{terminal}");
            self.last_report = terminal.to_string();
        }
    }

    fn fail(&mut self, overlay: String, took: Duration) {
        let current = self.app.current();
        let keeping = if current.files.is_some() {
            "; still serving the last good build"
        } else {
            ""
        };
        eprintln!("build failed in {} ms{keeping}", took.as_millis());
        let problems: Option<Arc<str>> = Some(overlay.into());
        if current.problems == problems {
            return;
        }
        self.app.publish(Snapshot {
            files: current.files.clone(),
            generation: current.generation,
            changed: current.changed.clone(),
            problems,
        });
    }

    fn succeed(&mut self, files: Files, took: Duration) {
        let current = self.app.current();
        let changed = match &current.files {
            Some(old) => diff(old, &files),
            None => files.keys().cloned().collect(),
        };
        let ms = took.as_millis();
        if changed.is_empty() {
            eprintln!("rebuilt in {ms} ms: the output did not change");
            if current.problems.is_some() {
                self.app.publish(Snapshot {
                    files: current.files.clone(),
                    generation: current.generation,
                    changed: current.changed.clone(),
                    problems: None,
                });
            }
            return;
        }
        if current.files.is_some() {
            eprintln!(
                "rebuilt in {ms} ms: {} file(s) changed{}",
                changed.len(),
                if changed.len() <= 3 {
                    format!(" ({})", changed.join(", "))
                } else {
                    String::new()
                }
            );
        } else {
            eprintln!("built {} files in {ms} ms", files.len());
        }
        self.app.publish(Snapshot {
            files: Some(Arc::new(files)),
            generation: current.generation + 1,
            changed: Arc::new(changed),
            problems: None,
        });
    }
}

/// Paths added, changed or removed between two builds, sorted.
pub(crate) fn diff(old: &Files, new: &Files) -> Vec<String> {
    let mut out: Vec<String> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(old.keys().filter(|k| !new.contains_key(*k)).cloned());
    out.sort();
    out
}

/// What a change of the file at `rel` (relative to the spec folder) requires: the config, the
/// chapters (listed in `chapters`, else every top-level `*.md`) and `policies/*.toml` and
/// `frameworks/*.toml` need the pipeline; `site/templates` and `site/static` need the site only;
/// anything else (editor swap files, `.git`, notes) nothing.
pub(crate) fn classify(rel: &str, chapters: Option<&[String]>) -> Need {
    if rel.is_empty() || rel == specbook_core::load::CONFIG_FILE {
        return Need::Sources;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["site"] | ["site", "templates" | "static", ..] => return Need::Site,
        ["policies" | "frameworks"] => return Need::Sources,
        ["policies" | "frameworks", name] if name.ends_with(".toml") => return Need::Sources,
        _ => {}
    }
    match chapters {
        Some(list) => {
            let listed = list.iter().any(|c| {
                let c = c.strip_prefix("./").unwrap_or(c);
                c == rel || c.starts_with(&format!("{rel}/"))
            });
            if listed { Need::Sources } else { Need::Nothing }
        }
        None if parts.len() == 1 && rel.ends_with(".md") => Need::Sources,
        None => Need::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_change_needs() {
        assert_eq!(classify("specbook.toml", None), Need::Sources);
        assert_eq!(classify("01-intro.md", None), Need::Sources);
        assert_eq!(classify("policies/apache.toml", None), Need::Sources);
        assert_eq!(classify("frameworks", None), Need::Sources);
        assert_eq!(classify("site/templates/base.html", None), Need::Site);
        assert_eq!(classify("site/static/x/logo.svg", None), Need::Site);
        assert_eq!(classify("site", None), Need::Site);
        for nothing in [
            ".01-intro.md.swp",
            "01-intro.md~",
            "4913",
            "notes/a.md",
            ".git/index",
            "policies/README.md",
            "policies/x/y.toml",
            "site/README.md",
            "build/index.html",
        ] {
            assert_eq!(classify(nothing, None), Need::Nothing, "{nothing}");
        }
        let list = vec!["ch/one.md".to_string(), "./two.md".to_string()];
        assert_eq!(classify("ch/one.md", Some(&list)), Need::Sources);
        assert_eq!(classify("ch", Some(&list)), Need::Sources);
        assert_eq!(classify("two.md", Some(&list)), Need::Sources);
        assert_eq!(classify("three.md", Some(&list)), Need::Nothing);
    }

    /// A spec folder whose config is moved away and then put back, unchanged: the build
    /// recovers, and in between a change of the site alone does not hide the problem.
    #[test]
    fn a_config_put_back_unchanged_ends_the_failure_it_caused() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("spec");
        std::fs::create_dir_all(root.join("site/static")).expect("mkdir");
        let config = root.join("specbook.toml");
        std::fs::write(&config, "title = \"T\"\nversion = \"0.1.0\"\n").expect("write");
        std::fs::write(root.join("01.md"), "# One\n\nText.\n").expect("write");
        let canon = root.canonicalize().expect("canon");
        let app = App::new("test".into());
        let mut b = Builder::new(root.clone(), canon.clone(), Env::default(), app.clone());
        b.styled = false;
        let build = |b: &mut Builder, changed: &Path| {
            let need = b.need(&[changed.to_path_buf()]);
            let pending = b.prepare(need);
            b.commit(pending);
            app.current().problems.clone()
        };
        assert_eq!(build(&mut b, &canon.join("specbook.toml")), None);
        let kept = tmp.path().join("kept.toml");
        std::fs::rename(&config, &kept).expect("move away");
        let problem = build(&mut b, &canon.join("specbook.toml")).expect("a problem");
        assert!(problem.contains("no specbook.toml"), "{problem}");
        std::fs::write(root.join("site/static/x.css"), "p {}").expect("write");
        assert_eq!(
            build(&mut b, &canon.join("site/static/x.css")),
            Some(problem),
            "a site change rendered from the check of a folder that is no spec"
        );
        std::fs::rename(&kept, &config).expect("put back");
        assert_eq!(build(&mut b, &canon.join("specbook.toml")), None);
    }

    #[test]
    fn diffs() {
        let mut a = Files::new();
        a.insert("x".into(), b"1".to_vec());
        a.insert("y".into(), b"1".to_vec());
        let mut b = a.clone();
        b.insert("y".into(), b"2".to_vec());
        b.insert("z".into(), b"1".to_vec());
        b.remove("x");
        assert_eq!(diff(&a, &b), ["x", "y", "z"]);
        assert!(diff(&a, &a).is_empty());
    }
}
