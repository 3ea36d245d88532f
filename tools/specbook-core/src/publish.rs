//! The files `specbook build` publishes: the catalogue, the OSCAL catalog, the schemas (2020-12
//! and draft-07 copies, with `$id` under the spec's base URL), the site (from the render stage)
//! and `SHA256SUMS` of all of them.

use crate::output::{self, Files};
use crate::pipeline::Checked;
use crate::render;
use crate::schema;

/// Why the output could not be produced.
#[derive(Debug)]
pub enum PublishError {
    /// Serialising JSON failed (a bug).
    Json(serde_json::Error),
    /// The site failed to render; the diagnostics say why (SB050 and read errors).
    Site(render::Failed),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Json(e) => write!(f, "{e}"),
            PublishError::Site(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PublishError {}

impl From<serde_json::Error> for PublishError {
    fn from(e: serde_json::Error) -> Self {
        PublishError::Json(e)
    }
}

/// Every output file of a successful build, with checksums.
pub fn files(checked: &Checked) -> Result<Files, PublishError> {
    let mut files = Files::new();
    files.insert(
        "catalogue.json".into(),
        schema::to_pretty(&serde_json::to_value(&checked.catalogue)?).into_bytes(),
    );
    files.insert(
        "oscal/catalog.json".into(),
        schema::to_pretty(&crate::oscal::catalog(
            &checked.catalogue,
            checked.env.source_date_epoch,
        ))
        .into_bytes(),
    );
    let base = checked.catalogue.spec.base_url.as_deref();
    for (name, value) in schema::all() {
        let value = schema::rehome(value, base, name);
        files.insert(
            format!("schema/draft-07/{name}"),
            schema::to_pretty(&schema::to_draft07(&value)).into_bytes(),
        );
        files.insert(
            format!("schema/{name}"),
            schema::to_pretty(&value).into_bytes(),
        );
    }
    let site = render::site(checked, &files).map_err(PublishError::Site)?;
    files.extend(site);
    output::add_checksums(&mut files);
    Ok(files)
}
