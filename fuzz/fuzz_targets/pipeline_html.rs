//! Fuzzes the whole pipeline on a spec folder built from the input (a config, a chapter and a
//! policy registry), through every published file including the HTML site.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, "\u{0}");
    let chapter = parts.next().unwrap_or_default();
    let policy = parts.next().unwrap_or_default();
    let extra = parts.next().unwrap_or_default();
    let Ok(dir) = tempfile::tempdir() else { return };
    let root = dir.path();
    let config = format!("title = \"Fuzz\"\nversion = \"1\"\n{}", if extra.len() < 200 { extra } else { "" });
    if std::fs::write(root.join("specbook.toml"), config).is_err()
        || std::fs::write(root.join("01.md"), chapter).is_err()
        || std::fs::create_dir(root.join("policies")).is_err()
        || std::fs::write(root.join("policies/org.toml"), policy).is_err()
    {
        return;
    }
    let env = specbook_core::pipeline::Env { source_date_epoch: Some(0) };
    if let Ok(checked) = specbook_core::pipeline::check(root, &env) {
        if !checked.failed(false) {
            let _ = specbook_core::publish::files(&checked);
        }
    }
});
