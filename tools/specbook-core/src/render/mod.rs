//! Stage 7, render: the static web site built from a checked spec — tera templates and assets
//! (built in, overridable from `<spec>/site/`) applied to the catalogue, the search index, and
//! SB050 diagnostics when a template fails. The only module that knows tera.

mod assets;
mod markdown;
mod pages;
mod search;

pub use assets::{BUILTIN_STATIC, BUILTIN_TEMPLATES, STATIC_DIR, TEMPLATES_DIR};

use crate::diag::{self, Code, Diagnostic, DiagnosticCounts};
use crate::diag_render;
use crate::output::Sink;
use crate::pipeline::Checked;
use crate::release::ReleaseContext;
use crate::source::{FileId, SourceFile, SourceMap};
use crate::urls;
use std::collections::BTreeMap;
use std::ops::Range;
use tera::{ErrorKind, Kwargs, State, Tera};

/// Why the site could not be rendered, with the sources the diagnostics point into.
#[derive(Debug)]
pub struct Failed {
    /// The spec's sources plus the template files named by the diagnostics.
    pub sources: SourceMap,
    /// The problems, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "the site could not be rendered")?;
        for d in &self.diagnostics {
            writeln!(f, "{}\n", diag_render::human(d, &self.sources, false))?;
        }
        write!(
            f,
            "{}",
            diag_render::summary(&DiagnosticCounts::of(&self.diagnostics))
        )
    }
}

impl std::error::Error for Failed {}

/// Why [`site`] produced no site.
#[derive(Debug)]
pub enum SiteError {
    /// Templates or names failed; the diagnostics say why.
    Failed(Failed),
    /// The sink could not take a file.
    Io(std::io::Error),
}

/// Where a problem is: a file of the spec already in the source map, or a file read by render.
#[derive(Clone, Debug)]
pub(crate) enum Place {
    /// A loaded file.
    File(FileId),
    /// A template or asset (path relative to the spec folder, or `<built-in>/…`) and its text.
    New {
        /// Path shown in the diagnostic.
        path: String,
        /// Text the span points into.
        text: String,
    },
}

impl Place {
    pub(crate) fn new_file(path: &str, text: &str) -> Self {
        Place::New {
            path: path.to_string(),
            text: text.to_string(),
        }
    }
}

/// A diagnostic before its file has an id.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    place: Place,
    span: Range<usize>,
    code: Code,
    message: String,
    help: String,
}

impl Problem {
    pub(crate) fn new(
        place: Place,
        span: Range<usize>,
        code: Code,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self {
            place,
            span,
            code,
            message: message.into(),
            help: help.into(),
        }
    }
}

/// Renders the site of `checked` into `sink`, page by page from several threads. `published`
/// (path → size) lists the other files of the build (catalogue, schemas), shown as downloads;
/// the site never overwrites them. With `release`, templates see `release` and requirement
/// pages `links` (this, latest and previous release). Identical input gives identical bytes.
/// On failure the sink may hold some pages; a [`crate::output::Staging`] sink discards them.
pub fn site(
    checked: &Checked,
    published: &BTreeMap<String, usize>,
    release: Option<&ReleaseContext>,
    sink: &dyn Sink,
) -> Result<(), SiteError> {
    let mut problems = Vec::new();
    let (overrides, sources, tera) = templates(checked, &mut problems);
    let mut global = pages::global(checked, published);
    global.insert("release", &release);
    let tera = tera.map(|mut t| {
        *t.global_context() = global;
        t
    });
    let clash = |path: &str| {
        published.contains_key(path).then(|| {
            Problem::new(
                Place::new_file(path, ""),
                0..0,
                Code::TemplateError,
                format!("the site would overwrite the published file `{path}`"),
                "rename the chapter or asset that takes this name",
            )
        })
    };
    let render = |p: &pages::Page| -> Result<(), pages::PageError> {
        let Some(t) = &tera else {
            return Ok(()); // the engine failed; that is reported already
        };
        if published.contains_key(&p.path) {
            return Ok(()); // reported below as a clash
        }
        let html = t
            .render(p.template, &p.context)
            .map_err(pages::PageError::Template)?;
        sink.put(&p.path, html.as_bytes())
            .map_err(pages::PageError::Io)
    };
    let rendered = pages::pages(checked, release, &mut problems, &render);
    let mut seen = std::collections::BTreeSet::new();
    for page in rendered {
        problems.extend(clash(&page.path));
        match page.result {
            Ok(()) => {}
            Err(pages::PageError::Io(e)) => return Err(SiteError::Io(e)),
            Err(pages::PageError::Template(e)) => {
                let p = template_problem(&e, &sources, page.template);
                if seen.len() < 20 && seen.insert((p.message.clone(), p.span.start)) {
                    problems.push(p);
                }
            }
        }
    }
    let mut statics: BTreeMap<String, &[u8]> = BTreeMap::new();
    for (name, bytes) in BUILTIN_STATIC {
        statics.insert(format!("static/{name}"), bytes);
    }
    for (name, bytes) in &overrides.statics {
        statics.insert(format!("static/{name}"), bytes);
    }
    let index = search::index(&checked.catalogue);
    statics.insert(search::INDEX_PATH.to_string(), &index);
    for (path, bytes) in statics {
        match clash(&path) {
            Some(p) => problems.push(p),
            None if problems.is_empty() => sink.put(&path, bytes).map_err(SiteError::Io)?,
            None => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SiteError::Failed(fail(checked, problems)))
    }
}

/// What [`site`] would refuse before rendering any page: site overrides that cannot be read or
/// templates that do not compile, and chapter names, IDs and registry ids that cannot become
/// pages or would take the site's own element ids (SB050). `check` reports these too, so that
/// a spec that checks clean also builds unless a template fails while rendering a page.
pub fn preflight(checked: &Checked) -> Result<(), Failed> {
    let mut problems = Vec::new();
    templates(checked, &mut problems);
    pages::check_names(checked, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(fail(checked, problems))
    }
}

/// The spec's site overrides, the templates in force and the engine compiled from them (`None`
/// when they do not compile); what goes wrong is added to `problems`.
fn templates(
    checked: &Checked,
    problems: &mut Vec<Problem>,
) -> (assets::Overrides, TemplateSources, Option<Tera>) {
    let overrides = assets::load_overrides(
        &checked.loaded.root,
        &checked.loaded.config.limits,
        problems,
    );
    let sources = TemplateSources::new(&overrides);
    let tera = match engine(&sources) {
        Ok(t) => Some(t),
        Err(e) => {
            problems.push(template_problem(&e, &sources, "base.html"));
            None
        }
    };
    (overrides, sources, tera)
}

/// Template name → (path shown in diagnostics, text): overrides over built-ins.
struct TemplateSources {
    map: BTreeMap<String, (String, String, bool)>,
}

impl TemplateSources {
    fn new(overrides: &assets::Overrides) -> Self {
        let mut map = BTreeMap::new();
        for (name, text) in BUILTIN_TEMPLATES {
            map.insert(
                name.to_string(),
                (
                    format!("<built-in>/{TEMPLATES_DIR}/{name}"),
                    text.to_string(),
                    false,
                ),
            );
        }
        for (name, o) in &overrides.templates {
            map.insert(name.clone(), (o.path.clone(), o.text.clone(), true));
        }
        Self { map }
    }
}

/// `prefix` (the path from the page to the site root) followed by `path` encoded with
/// [`urls::push_path`], in one allocation.
fn prefixed(state: &State, path: &str) -> String {
    let mut out = page_prefix(state, path.len() + 8);
    urls::push_path(&mut out, path);
    out
}

/// The URL of the page `{folder}{name}.html` from the current page: `prefix`, `folder`, then
/// `name` encoded as one path component (so a `#` or `/` in an ID or slug stays in the file
/// name), in one allocation.
fn page_url(state: &State, folder: &str, name: &str) -> String {
    let mut out = page_prefix(state, folder.len() + name.len() + 8);
    out.push_str(folder);
    urls::push_component(&mut out, name);
    out.push_str(".html");
    out
}

/// A string holding the page's `prefix`, with room for `more` bytes after it.
fn page_prefix(state: &State, more: usize) -> String {
    let prefix = state.get::<tera::Value>("prefix").ok().flatten();
    let prefix = prefix.as_ref().and_then(tera::Value::as_str).unwrap_or("");
    let mut out = String::with_capacity(prefix.len() + more);
    out.push_str(prefix);
    out
}

/// The tera engine with every template and the URL filters:
/// `url` (a path from the site root, encoded, made relative to the page), `req_url`,
/// `chapter_url`, `org_url` (the page of an ID, chapter slug or organisation id), `abs_url`
/// (a path under the configured `base_url`, or empty), `fragment` (encoded for `#…` and query
/// values) and `ext_url` (an external URL if its scheme is allowed, else `#`).
fn engine(sources: &TemplateSources) -> Result<Tera, tera::Error> {
    let mut tera = Tera::default();
    tera.autoescape_on([".html"]);
    // The same five characters as tera's own escaper, written in runs instead of byte by byte.
    tera.set_escape_fn(crate::html::escape_into);
    tera.register_filter("url", |x: &str, _: Kwargs, s: &State| prefixed(s, x));
    // The same files as assemble::permalink and chapter_page, and organisation pages.
    tera.register_filter("req_url", |x: &str, _: Kwargs, s: &State| {
        page_url(s, crate::assemble::REQUIREMENT_FOLDER, x)
    });
    tera.register_filter("chapter_url", |x: &str, _: Kwargs, s: &State| {
        page_url(s, "", x)
    });
    tera.register_filter("org_url", |x: &str, _: Kwargs, s: &State| {
        page_url(s, crate::assemble::ORGANISATION_FOLDER, x)
    });
    tera.register_filter("abs_url", |x: &str, _: Kwargs, s: &State| {
        match s.get::<String>("permanent_base").ok().flatten() {
            Some(base) => format!("{base}{}", urls::path(x)),
            None => String::new(),
        }
    });
    tera.register_filter("fragment", |x: &str, _: Kwargs, _: &State| {
        urls::component(x)
    });
    tera.register_filter("ext_url", |x: &str, _: Kwargs, _: &State| {
        urls::external(x).to_string()
    });
    tera.add_raw_templates(
        sources
            .map
            .iter()
            .map(|(name, (_, text, _))| (name.as_str(), text.as_str())),
    )?;
    Ok(tera)
}

/// Turns a tera error into an SB050 problem pointing into the template it names.
fn template_problem(e: &tera::Error, sources: &TemplateSources, fallback: &str) -> Problem {
    let at = |name: &str, span: Range<usize>, message: String| {
        let (place, span, overridden) = match sources.map.get(name) {
            Some((path, text, overridden)) => {
                let end = span.end.min(text.len());
                let start = span.start.min(end);
                (Place::new_file(path, text), start..end, *overridden)
            }
            None => (
                Place::new_file(&format!("{TEMPLATES_DIR}/{name}"), ""),
                0..0,
                false,
            ),
        };
        let help = if overridden {
            "fix the template, or delete it to use the built-in one"
        } else {
            "a built-in template failed, probably because an overriding template it uses changed; check the overrides in site/templates"
        };
        Problem::new(place, span, Code::TemplateError, message, help)
    };
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let name = if r.filename().is_empty() {
                fallback
            } else {
                r.filename()
            };
            at(
                name,
                r.span().range.clone(),
                format!("template `{name}`: {}", r.message()),
            )
        }
        ErrorKind::MissingParent { current, parent } => {
            let span = sources
                .map
                .get(current)
                .and_then(|(_, text, _)| text.find(parent.as_str()))
                .map_or(0..0, |i| i..i + parent.len());
            at(
                current,
                span,
                format!("template `{current}` extends `{parent}`, which does not exist"),
            )
        }
        ErrorKind::CircularExtend { tpl, .. } | ErrorKind::CircularInclude { tpl, .. } => {
            at(tpl, 0..0, format!("template `{tpl}`: {e}"))
        }
        _ => at(fallback, 0..0, format!("template `{fallback}`: {e}")),
    }
}

fn fail(checked: &Checked, problems: Vec<Problem>) -> Failed {
    let mut sources = checked.loaded.sources.clone();
    let mut added: BTreeMap<String, FileId> = BTreeMap::new();
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| {
            let file = match p.place {
                Place::File(id) => id,
                Place::New { path, text } => *added
                    .entry(path.clone())
                    .or_insert_with(|| sources.add(SourceFile::new(path, text))),
            };
            Diagnostic::new(p.code, file, p.span, p.message).with_help(p.help)
        })
        .collect();
    diag::sort(&mut diagnostics);
    Failed {
        sources,
        diagnostics,
    }
}
