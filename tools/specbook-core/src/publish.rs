//! The files `specbook build` publishes: the catalogue, the schemas and `SHA256SUMS` (the site
//! is added by the render stage).

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
    for (name, value) in schema::all() {
        files.insert(
            format!("schema/{name}"),
            schema::to_pretty(&value).into_bytes(),
        );
    }
    output::add_checksums(&mut files);
    Ok(files)
}
