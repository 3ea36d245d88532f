//! `stages`: wall time of each library stage of `check`, `build` and `diff`, in process, so a
//! missed target can be pinned on a function without editing the library. Sub-stages of the
//! pipeline are re-run on the pipeline's own results (same inputs, single thread), so their
//! sum is not exactly the pipeline's time; the top-level lines are the real calls.

use specbook_core::pipeline::Detail;
use specbook_core::{
    assemble, coverage, diff, link, load, meta, oscal, output, parse, pipeline, registries, render,
    schema, toml_json,
};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `stages`.
#[derive(Debug)]
pub(crate) struct StagesOptions {
    pub(crate) spec: PathBuf,
    pub(crate) changed: Option<PathBuf>,
    pub(crate) out: PathBuf,
    pub(crate) runs: usize,
}

type Timings = Vec<(&'static str, f64)>;

fn time<T>(t: &mut Timings, name: &'static str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let v = f();
    t.push((name, start.elapsed().as_secs_f64()));
    v
}

fn once(opts: &StagesOptions) -> Result<Timings, String> {
    let env = pipeline::Env::default();
    let mut t = Timings::new();
    let checked = time(&mut t, "check: pipeline::check (total)", || {
        pipeline::check(&opts.spec, &env)
    })
    .map_err(|e| e.to_string())?;
    let diagnose_only = time(
        &mut t,
        "check: pipeline::check_with Diagnose (total, what `specbook check` runs)",
        || pipeline::check_with(&opts.spec, &env, Detail::Diagnose),
    )
    .map_err(|e| e.to_string())?;
    drop(diagnose_only);

    // Sub-stages, re-run on the pipeline's results.
    let (loaded, _) =
        time(&mut t, "check › load::load", || load::load(&opts.spec)).map_err(|e| e.to_string())?;
    let config = &checked.loaded.config;
    let validator = toml_json::compile(&meta::schema_for(config))?;
    time(
        &mut t,
        "check › parse::parse_chapter ×all (1 thread)",
        || {
            for &file in &checked.loaded.chapters {
                let _ = parse::parse_chapter(
                    file,
                    checked.loaded.sources.get(file),
                    config,
                    &checked.id_pattern,
                    &validator,
                );
            }
        },
    );
    time(&mut t, "check › registries::load", || {
        registries::load(&loaded.sources, &loaded.policies, &loaded.frameworks)
    });
    let (_, resolved, _) = time(&mut t, "check › link::link", || {
        link::link(
            &checked.loaded.sources,
            &checked.chapters,
            &checked.registry,
            &checked.id_pattern,
            config.id_pattern(),
        )
    });
    for (label, detail) in [
        (
            "check › assemble::assemble Publish (incl. coverage)",
            Detail::Publish,
        ),
        (
            "check › assemble::assemble Compare (incl. coverage)",
            Detail::Compare,
        ),
        (
            "check › assemble::assemble Diagnose (incl. coverage)",
            Detail::Diagnose,
        ),
    ] {
        let resolved = resolved.clone(); // outside the timing
        time(&mut t, label, || {
            assemble::assemble(
                detail,
                config,
                None,
                &checked.loaded.sources,
                &checked.chapters,
                &checked.registry,
                &checked.linked,
                resolved,
                &checked.id_pattern,
                Default::default(),
            )
        });
    }
    time(&mut t, "check › coverage::compute", || {
        coverage::compute(&checked.catalogue.requirements, &checked.registry)
    });
    drop(loaded);

    // What publish::publish does, step by step (into memory), then the real call into a folder.
    let sink = output::MemorySink::default();
    let mut published = std::collections::BTreeMap::new();
    let catalogue = time(
        &mut t,
        "build › catalogue.json (to_writer_pretty)",
        || serde_json::to_vec_pretty(&checked.catalogue),
    )
    .map_err(|e| e.to_string())?;
    published.insert("catalogue.json".to_string(), catalogue.len());
    let oscal = time(&mut t, "build › oscal::catalog_json", || {
        oscal::catalog_json(&checked.catalogue, None)
    });
    published.insert("oscal/catalog.json".to_string(), oscal.len());
    time(&mut t, "build › schemas", || {
        let base = checked.catalogue.spec.base_url.as_deref();
        for (name, value) in schema::all() {
            let value = schema::rehome(value, base, name);
            let draft07 = schema::to_pretty(&schema::to_draft07(&value));
            published.insert(format!("schema/draft-07/{name}"), draft07.len());
            published.insert(format!("schema/{name}"), schema::to_pretty(&value).len());
        }
    });
    time(&mut t, "build › render::site (into memory)", || {
        render::site(&checked, &published, None, &sink)
    })
    .map_err(|_| "the site failed to render".to_string())?;
    let mut files = sink.into_files();
    time(&mut t, "build › output::add_checksums", || {
        output::add_checksums(&mut files)
    });
    time(&mut t, "build › drop(files)", || drop(files));
    if opts.out.exists() {
        std::fs::remove_dir_all(&opts.out).map_err(|e| e.to_string())?;
    }
    time(
        &mut t,
        "build › publish::publish into output::Staging + commit (the real call)",
        || -> Result<usize, String> {
            let staging = output::Staging::begin(&opts.out).map_err(|e| e.to_string())?;
            specbook_core::publish::publish(&checked, &staging).map_err(|e| e.to_string())?;
            staging.commit().map_err(|e| e.to_string())
        },
    )?;
    time(&mut t, "check › drop(Checked)", || drop(checked));

    if let Some(changed) = &opts.changed {
        let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
        let s = |p: &Path| p.display().to_string();
        let old = time(&mut t, "diff › side::open(old)", || {
            diff::side::open(&s(&opts.spec), "spec", &cwd, &env)
        })
        .map_err(|e| e.to_string())?;
        let new = time(&mut t, "diff › side::open(new)", || {
            diff::side::open(&s(changed), "spec", &cwd, &env)
        })
        .map_err(|e| e.to_string())?;
        let cmp = time(&mut t, "diff › side::compare_sides", || {
            diff::side::compare_sides(&old, &new)
        });
        let report = time(&mut t, "diff › DiffReport::new", || {
            diff::DiffReport::new(
                old.info.clone(),
                new.info.clone(),
                cmp,
                diff::Lens::default(),
            )
        });
        time(&mut t, "diff › text::render", || {
            diff::text::render(&report, false)
        });
        time(&mut t, "diff › drop(sides)", || drop((old, new, report)));
    }
    Ok(t)
}

/// Runs the stages `runs` times and prints the median of each.
pub(crate) fn run(opts: &StagesOptions) -> Result<(), String> {
    if cfg!(debug_assertions) {
        return Err(
            "run stages from a release build: cargo run --release -p xtask -- stages".into(),
        );
    }
    let mut all: Vec<Timings> = Vec::new();
    for _ in 0..opts.runs.max(1) {
        all.push(once(opts)?);
    }
    println!("| stage | median | runs |\n| --- | ---: | ---: |");
    for (i, (name, _)) in all[0].iter().enumerate() {
        let mut v: Vec<f64> = all.iter().map(|t| t[i].1).collect();
        v.sort_by(f64::total_cmp);
        let m = if v.len() % 2 == 1 {
            v[v.len() / 2]
        } else {
            (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
        };
        println!("| {name} | {:.1} ms | {} |", m * 1000.0, v.len());
    }
    let _ = std::fs::remove_dir_all(&opts.out);
    Ok(())
}
