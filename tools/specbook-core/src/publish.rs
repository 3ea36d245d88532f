//! The files `specbook build` publishes: the catalogue, the OSCAL catalog, the schemas (2020-12
//! and draft-07 copies, with `$id` under the spec's base URL), the site and `SHA256SUMS`.

use crate::output::{self, Files};
use crate::pipeline::Checked;
use crate::schema;

/// Every output file of a successful build, with checksums.
pub fn files(checked: &Checked) -> Result<Files, serde_json::Error> {
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
    output::add_checksums(&mut files);
    Ok(files)
}
