//! The files `specbook build` publishes: the catalogue, the OSCAL catalog, the schemas (2020-12
//! and draft-07 copies, with `$id` under the spec's base URL), the site (from the render stage)
//! and `SHA256SUMS` of all of them.

use crate::output::{self, Files, MemorySink, Sink};
use crate::pipeline::{Checked, Detail};
use crate::release::ReleaseContext;
use crate::render;
use crate::schema;
use std::collections::BTreeMap;

/// Why the output could not be produced.
#[derive(Debug)]
pub enum PublishError {
    /// Serialising JSON failed (a bug).
    Json(serde_json::Error),
    /// The site failed to render; the diagnostics say why (SB050 and read errors).
    Site(render::Failed),
    /// The sink could not take a file.
    Io(std::io::Error),
    /// The spec was checked with less than [`Detail::Publish`] (a bug in the caller).
    Incomplete(Detail),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Json(e) => write!(f, "{e}"),
            PublishError::Site(e) => write!(f, "{e}"),
            PublishError::Io(e) => write!(f, "{e}"),
            PublishError::Incomplete(d) => write!(
                f,
                "the spec was checked with detail {d:?}, which lacks the HTML or hashes the outputs need"
            ),
        }
    }
}

impl std::error::Error for PublishError {}

impl From<serde_json::Error> for PublishError {
    fn from(e: serde_json::Error) -> Self {
        PublishError::Json(e)
    }
}

impl From<std::io::Error> for PublishError {
    fn from(e: std::io::Error) -> Self {
        PublishError::Io(e)
    }
}

impl From<render::SiteError> for PublishError {
    fn from(e: render::SiteError) -> Self {
        match e {
            render::SiteError::Failed(f) => PublishError::Site(f),
            render::SiteError::Io(e) => PublishError::Io(e),
        }
    }
}

/// Every output file of a successful build but `SHA256SUMS`, handed to `sink` as each is
/// produced (the site's pages from several threads). The sink adds the checksums.
pub fn publish(checked: &Checked, sink: &dyn Sink) -> Result<(), PublishError> {
    publish_release(checked, None, sink)
}

/// [`publish`] for a release: with `release`, requirement pages link to the same requirement
/// in this, the latest and the previous release, and every page names the version.
pub fn publish_release(
    checked: &Checked,
    release: Option<&ReleaseContext>,
    sink: &dyn Sink,
) -> Result<(), PublishError> {
    if checked.detail != Detail::Publish {
        return Err(PublishError::Incomplete(checked.detail));
    }
    // Path → size of the files the site lists as downloads.
    let mut published = BTreeMap::new();
    // The two large files are serialised from typed values straight into the sink, side by
    // side.
    let (catalogue, oscal) = rayon::join(
        || {
            sink.put_with("catalogue.json", &mut |w| {
                schema::write_pretty(w, &checked.catalogue)
            })
        },
        || {
            sink.put_with("oscal/catalog.json", &mut |w| {
                crate::oscal::write_catalog(w, &checked.catalogue, checked.env.source_date_epoch)
            })
        },
    );
    published.insert("catalogue.json".to_string(), catalogue? as usize);
    published.insert("oscal/catalog.json".to_string(), oscal? as usize);
    let mut put = |path: String, bytes: Vec<u8>| -> Result<(), PublishError> {
        sink.put(&path, &bytes)?;
        published.insert(path, bytes.len());
        Ok(())
    };
    let base = checked.catalogue.spec.base_url.as_deref();
    for (name, value) in schema::all() {
        let value = schema::rehome(value, base, name);
        put(
            format!("schema/draft-07/{name}"),
            schema::to_pretty(&schema::to_draft07(&value)).into_bytes(),
        )?;
        put(
            format!("schema/{name}"),
            schema::to_pretty(&value).into_bytes(),
        )?;
    }
    render::site(checked, &published, release, sink)?;
    Ok(())
}

/// Every output file of a successful build, with checksums, in memory.
pub fn files(checked: &Checked) -> Result<Files, PublishError> {
    release_files(checked, None)
}

/// [`files`] for a release (see [`publish_release`]).
pub fn release_files(
    checked: &Checked,
    release: Option<&ReleaseContext>,
) -> Result<Files, PublishError> {
    let sink = MemorySink::default();
    publish_release(checked, release, &sink)?;
    let mut files = sink.into_files();
    output::add_checksums(&mut files);
    Ok(files)
}
