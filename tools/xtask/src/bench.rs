//! `bench`: generates specs of each size, then times `specbook check`, `build` and `diff`, the
//! parse floor, the write floor (`cp -r` of the built output) and mdBook on the same chapters.
//! Commands are interleaved round by round after one warm-up round, so that a burst of load
//! from other users of the machine hits every command alike. Each run is wrapped in
//! `/usr/bin/time -f %M` for its peak resident memory; wall time is measured here.

use crate::generate::{self, ChangeCounts, GenOptions};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Options of `bench`.
#[derive(Debug)]
pub(crate) struct BenchOptions {
    pub(crate) sizes: Vec<usize>,
    pub(crate) runs: usize,
    /// Runs for sizes of 100,000 and more.
    pub(crate) runs_large: usize,
    pub(crate) seed: u64,
    pub(crate) work: PathBuf,
    pub(crate) build: bool,
    pub(crate) mdbook: bool,
    /// Skip mdBook above this size.
    pub(crate) mdbook_max: usize,
    /// Where the Markdown results are written.
    pub(crate) report: PathBuf,
    /// Keep the built outputs (they are deleted after each size otherwise).
    pub(crate) keep: bool,
}

/// The workspace root (two levels above this crate).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// One command to time.
struct Job {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    /// The folder the command creates, named [`OUT`] in `args`: see [`Outputs`].
    fresh: Option<PathBuf>,
    /// Exit codes that count as success.
    ok: &'static [i32],
}

/// Timings of one command.
#[derive(Debug, Default, Clone)]
struct Samples {
    secs: Vec<f64>,
    kib: Vec<u64>,
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Stands in `Job::args` for the output folder of the run.
const OUT: &str = "{out}";

/// Where the commands that create a folder (build, write floor, mdBook) write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outputs {
    /// A new folder for every run (`<fresh>-<run>`), all removed after the size's last round.
    /// Nothing is deleted between timed runs: on ext4 without a journal (this machine's disk),
    /// creating files in the minute after thousands were deleted can take four to seven times
    /// as long (BENCHMARKS.md, "Why creating files after a removal is slow").
    PerRun,
    /// One folder, removed (untimed) before every run: when the disk has no room for all runs.
    RemovedBefore,
}

impl Outputs {
    /// The folder of run `run` of a job whose output is `fresh`.
    fn folder(self, fresh: &Path, run: usize) -> PathBuf {
        match self {
            Outputs::PerRun => {
                let name = fresh
                    .file_name()
                    .map_or_else(|| "out".into(), |n| n.to_string_lossy().to_string());
                fresh.with_file_name(format!("{name}-{run}"))
            }
            Outputs::RemovedBefore => fresh.to_path_buf(),
        }
    }

    /// `PerRun` when the folder of `dir` has room for `bytes` more, with 2 GiB to spare.
    fn choose(dir: &Path, bytes: u64) -> Outputs {
        match free_bytes(dir) {
            Some(free) if free > bytes.saturating_add(2 << 30) => Outputs::PerRun,
            _ => Outputs::RemovedBefore,
        }
    }
}

/// Free bytes on the file system of `dir`, from `df -Pk`.
fn free_bytes(dir: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn run_once(
    job: &Job,
    mem_file: &Path,
    run: usize,
    outputs: Outputs,
) -> Result<(f64, Option<u64>), String> {
    let folder = job.fresh.as_ref().map(|f| outputs.folder(f, run));
    if let Some(dir) = &folder
        && dir.exists()
    {
        std::fs::remove_dir_all(dir)
            .map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    let args: Vec<String> = job
        .args
        .iter()
        .map(|a| match (&folder, a.as_str()) {
            (Some(f), OUT) => f.display().to_string(),
            _ => a.clone(),
        })
        .collect();
    // Untimed: the files the previous command wrote (and the removal above) are written back
    // to disk now, so that this command does not share the cores with that write-back. It
    // would slow the two-thread commands more than the one-thread floors.
    let _ = Command::new("sync").status();
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(mem_file)
            .arg(&job.program);
        c
    } else {
        Command::new(&job.program)
    };
    cmd.args(&args).stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", job.program.display()))?;
    let secs = start.elapsed().as_secs_f64();
    let code = out.status.code().unwrap_or(-1);
    if !job.ok.contains(&code) {
        return Err(format!(
            "{} {} exited with {code}:\n{}",
            job.program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .take(30)
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    let kib = std::fs::read_to_string(mem_file)
        .ok()
        .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()));
    Ok((secs, kib))
}

fn find_mdbook() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("mdbook"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/mdbook"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

fn mdbook_version(path: &Path) -> String {
    Command::new(path)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Bytes of `gzip -9` of every file of `out` whose name starts with `search-index`.
fn search_index_size(out: &Path) -> Result<(u64, u64, Vec<String>), String> {
    let mut raw = 0;
    let mut gz = 0;
    let mut names = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("search-index"))
            {
                raw += std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
                let o = Command::new("gzip")
                    .arg("-9")
                    .arg("-c")
                    .arg(&path)
                    .output()
                    .map_err(|e| format!("cannot run gzip: {e}"))?;
                gz += o.stdout.len() as u64;
                names.push(
                    path.strip_prefix(out)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    names.sort();
    Ok((raw, gz, names))
}

fn dir_stats(dir: &Path) -> (u64, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(m) = p.metadata() {
                files += 1;
                bytes += m.len();
            }
        }
    }
    (files, bytes)
}

/// Results of one size.
struct SizeResult {
    n: usize,
    runs: usize,
    counts: ChangeCounts,
    rows: Vec<(&'static str, Samples)>,
    index: (u64, u64, Vec<String>),
    output: (u64, u64),
    source_bytes: u64,
    outputs: Outputs,
}

impl SizeResult {
    fn get(&self, name: &str) -> Option<&Samples> {
        self.rows.iter().find(|(n, _)| *n == name).map(|(_, s)| s)
    }
    fn med(&self, name: &str) -> Option<f64> {
        self.get(name).map(|s| median(&s.secs))
    }
}

fn one_size(
    n: usize,
    opts: &BenchOptions,
    specbook: &Path,
    xtask: &Path,
    mdbook: Option<&Path>,
) -> Result<SizeResult, String> {
    let dir = opts.work.join(n.to_string());
    let v1 = dir.join("v1");
    let v2 = dir.join("v2");
    let book = dir.join("book");
    let out = dir.join("out");
    let with_mdbook = mdbook.is_some() && n <= opts.mdbook_max;
    eprintln!("[{n}] generating into {}", dir.display());
    let counts = generate::run(&GenOptions {
        requirements: n,
        seed: opts.seed,
        out: v1.clone(),
        changed: Some(v2.clone()),
        mdbook: with_mdbook.then(|| book.clone()),
    })?
    .unwrap_or_default();

    // The output the write floor copies, and the search index, come from one build.
    let reference = Job {
        name: "build",
        program: specbook.to_path_buf(),
        args: vec![
            "build".into(),
            v1.display().to_string(),
            "--out".into(),
            OUT.into(),
        ],
        fresh: Some(out.clone()),
        ok: &[0],
    };
    let mem = dir.join("mem.txt");
    run_once(&reference, &mem, 0, Outputs::RemovedBefore)?;
    let s = |p: &Path| p.display().to_string();
    let mut jobs = vec![
        Job {
            name: "parse floor",
            program: xtask.to_path_buf(),
            args: vec!["parse-floor".into(), s(&v1)],
            fresh: None,
            ok: &[0],
        },
        Job {
            name: "check",
            program: specbook.to_path_buf(),
            args: vec!["check".into(), s(&v1)],
            fresh: None,
            ok: &[0],
        },
        Job {
            name: "write floor",
            program: "cp".into(),
            args: vec!["-r".into(), s(&out), OUT.into()],
            fresh: Some(dir.join("copy")),
            ok: &[0],
        },
        Job {
            name: "build",
            program: specbook.to_path_buf(),
            args: vec!["build".into(), s(&v1), "--out".into(), OUT.into()],
            fresh: Some(dir.join("out-bench")),
            ok: &[0],
        },
        Job {
            name: "parse floor (both)",
            program: xtask.to_path_buf(),
            args: vec!["parse-floor".into(), s(&v1), s(&v2)],
            fresh: None,
            ok: &[0],
        },
        Job {
            name: "diff",
            program: specbook.to_path_buf(),
            args: vec!["diff".into(), s(&v1), s(&v2)],
            fresh: None,
            ok: &[0],
        },
    ];
    // The changed version must check clean as well (diff exits 1 on spec errors anyway).
    run_once(
        &Job {
            name: "check v2",
            program: specbook.to_path_buf(),
            args: vec!["check".into(), s(&v2)],
            fresh: None,
            ok: &[0],
        },
        &mem,
        0,
        Outputs::RemovedBefore,
    )?;
    if let (true, Some(mdbook)) = (with_mdbook, mdbook) {
        jobs.push(Job {
            name: "mdbook",
            program: mdbook.to_path_buf(),
            args: vec!["build".into(), s(&book), "--dest-dir".into(), OUT.into()],
            fresh: Some(dir.join("mdbook-out")),
            ok: &[0],
        });
    }
    let runs = if n >= 100_000 {
        opts.runs_large
    } else {
        opts.runs
    };
    let mut rows: Vec<(&'static str, Samples)> =
        jobs.iter().map(|j| (j.name, Samples::default())).collect();
    // Every run's folder at once: build, write floor (each the size of the output) and mdBook.
    let output = dir_stats(&out);
    let outputs = Outputs::choose(&dir, output.1.saturating_mul(3 * (runs as u64 + 1)));
    for round in 0..=runs {
        eprintln!(
            "[{n}] {} {round}/{runs}",
            if round == 0 { "warm-up" } else { "round" }
        );
        for (job, (_, samples)) in jobs.iter().zip(rows.iter_mut()) {
            let (secs, kib) = run_once(job, &mem, round, outputs)?;
            if round > 0 {
                samples.secs.push(secs);
                samples.kib.extend(kib);
            }
        }
    }
    let index = search_index_size(&out)?;
    let source_bytes = crate::floor::chapters(&v1)?
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum();
    // The outputs are large (gigabytes at 100k); keep only the generated sources.
    if !opts.keep {
        for j in &jobs {
            if let Some(f) = &j.fresh {
                for round in 0..=runs {
                    let _ = std::fs::remove_dir_all(outputs.folder(f, round));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    Ok(SizeResult {
        n,
        runs,
        counts,
        rows,
        index,
        output,
        source_bytes,
        outputs,
    })
}

fn ms(secs: f64) -> String {
    if secs >= 10.0 {
        format!("{:.1} s", secs)
    } else if secs >= 1.0 {
        format!("{:.2} s", secs)
    } else {
        format!("{:.0} ms", secs * 1000.0)
    }
}

fn mib(kib: &[u64]) -> String {
    kib.iter()
        .max()
        .map_or_else(|| "n/a".into(), |k| format!("{:.0} MB", *k as f64 / 1024.0))
}

/// Issue 9's targets, judged on this run: those at 10k (when it ran) and the growth per 10×
/// step. A target whose commands did not run (mdBook missing, say) is left out.
fn targets(results: &[SizeResult]) -> String {
    let mut rows: Vec<(String, String, bool)> = Vec::new();
    if let Some(r) = results.iter().find(|r| r.n == 10_000) {
        let mut ratio = |target: &str, a: &str, b: &str, limit: f64| {
            if let (Some(a), Some(b)) = (r.med(a), r.med(b)) {
                rows.push((target.into(), format!("{:.2}×", a / b), a / b <= limit));
            }
        };
        ratio(
            "10k: `check` ≤ 3× the parse floor",
            "check",
            "parse floor",
            3.0,
        );
        ratio(
            "10k: `build` ≤ 2× the write floor",
            "build",
            "write floor",
            2.0,
        );
        ratio(
            "10k: `diff` ≤ 3× the parse floor of both",
            "diff",
            "parse floor (both)",
            3.0,
        );
        if let (Some(build), Some(mdbook)) = (r.med("build"), r.med("mdbook")) {
            rows.push((
                "10k: `build` ≥ 10× faster than mdBook".into(),
                format!("{:.1}×", mdbook / build),
                mdbook / build >= 10.0,
            ));
        }
        if let Some(kib) = r.get("build").and_then(|b| b.kib.iter().max()) {
            let mb = *kib as f64 / 1024.0;
            rows.push((
                "10k: `build` peak memory ≤ 150 MB".into(),
                format!("{mb:.0} MB"),
                mb <= 150.0,
            ));
        }
        rows.push((
            "10k: search index ≤ 1 MB gzip".into(),
            format!("{} bytes", r.index.1),
            r.index.1 <= 1_000_000,
        ));
    }
    for w in results.windows(2) {
        if w[1].n != w[0].n * 10 {
            continue;
        }
        for name in ["check", "build", "diff"] {
            if let (Some(a), Some(b)) = (w[0].med(name), w[1].med(name)) {
                rows.push((
                    format!("growth of `{name}` from {} to {} ≤ 12×", w[0].n, w[1].n),
                    format!("{:.1}×", b / a),
                    b / a <= 12.0,
                ));
            }
        }
    }
    let mut s = String::new();
    if rows.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "\nTargets (issue 9), judged on this run:\n\n| target | measured | met? |\n| --- | ---: | --- |"
    );
    for (target, measured, met) in &rows {
        let _ = writeln!(
            s,
            "| {target} | {measured} | {} |",
            if *met { "yes" } else { "**no**" }
        );
    }
    let missed = rows.iter().filter(|(_, _, met)| !met).count();
    let _ = writeln!(
        s,
        "\n{} of {} targets met.",
        rows.len() - missed,
        rows.len()
    );
    s
}

fn report(results: &[SizeResult], machine: &str, mdbook: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{machine}\n");
    let _ = writeln!(s, "mdBook: {mdbook}\n");
    let _ = writeln!(
        s,
        "| N | command | median | runs | ratio | peak memory |\n| ---: | --- | ---: | ---: | --- | ---: |"
    );
    for r in results {
        for (name, samples) in &r.rows {
            let m = median(&samples.secs);
            let ratio = match *name {
                "check" => r
                    .med("parse floor")
                    .map(|f| format!("{:.2}× parse floor", m / f)),
                "build" => r
                    .med("write floor")
                    .map(|f| format!("{:.2}× write floor", m / f)),
                "diff" => r
                    .med("parse floor (both)")
                    .map(|f| format!("{:.2}× parse floor (both)", m / f)),
                "mdbook" => r
                    .med("build")
                    .map(|b| format!("{:.1}× specbook build", m / b)),
                _ => None,
            }
            .unwrap_or_default();
            let _ = writeln!(
                s,
                "| {} | {name} | {} | {} | {ratio} | {} |",
                r.n,
                ms(m),
                samples.secs.len(),
                mib(&samples.kib)
            );
        }
    }
    let _ = writeln!(s, "\nGrowth of the median per 10× more requirements:\n");
    let _ = writeln!(
        s,
        "| command | from | to | growth |\n| --- | ---: | ---: | ---: |"
    );
    for w in results.windows(2) {
        for name in [
            "parse floor",
            "check",
            "build",
            "diff",
            "write floor",
            "mdbook",
        ] {
            if let (Some(a), Some(b)) = (w[0].med(name), w[1].med(name)) {
                let per10 = (b / a).powf(1.0 / ((w[1].n as f64 / w[0].n as f64).log10()));
                let _ = writeln!(s, "| {name} | {} | {} | {:.1}× |", w[0].n, w[1].n, per10);
            }
        }
    }
    s.push_str(&targets(results));
    let _ = writeln!(s, "\nInputs and outputs:\n");
    let _ = writeln!(
        s,
        "| N | chapter bytes | output files | output bytes | search index (raw → gzip -9) | changed version |\n| ---: | ---: | ---: | ---: | --- | --- |"
    );
    for r in results {
        let c = r.counts;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} → {} bytes ({}) | {} |",
            r.n,
            r.source_bytes,
            r.output.0,
            r.output.1,
            r.index.0,
            r.index.1,
            r.index.2.join(", "),
            c.describe(),
        );
    }
    let _ = writeln!(
        s,
        "\nRuns per size: {}",
        results
            .iter()
            .map(|r| format!("{} → {}", r.n, r.runs))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "\nOutput folders of build, write floor and mdBook: {}",
        results
            .iter()
            .map(|r| format!(
                "{} → {}",
                r.n,
                match r.outputs {
                    Outputs::PerRun => "a new one per run, removed after the last round",
                    Outputs::RemovedBefore =>
                        "one, removed before each run (no room for one per run)",
                }
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    s
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    format!("Machine: {cores} cores, {cpu}; load average at the end: {load}")
}

/// Runs the benchmark and writes the report.
pub(crate) fn run(opts: &BenchOptions) -> Result<(), String> {
    if cfg!(debug_assertions) {
        return Err(
            "the benchmark must run from a release build: cargo run --release -p xtask -- bench"
                .into(),
        );
    }
    let root = root();
    if opts.build {
        eprintln!("building target/release/specbook");
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--release", "-p", "specbook"])
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err("cargo build --release -p specbook failed".into());
        }
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| root.join("target"), |t| root.join(t));
    let specbook = target.join("release/specbook");
    if !specbook.is_file() {
        return Err(format!("{} is missing", specbook.display()));
    }
    let xtask = std::env::current_exe().map_err(|e| e.to_string())?;
    let mdbook = if opts.mdbook { find_mdbook() } else { None };
    let mdbook_note = match &mdbook {
        Some(p) => format!("{} ({})", mdbook_version(p), p.display()),
        None if opts.mdbook => {
            "not found on PATH or in ~/.cargo/bin (try `cargo install mdbook --locked`)".into()
        }
        None => "skipped (--no-mdbook)".into(),
    };
    std::fs::create_dir_all(&opts.work).map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    for &n in &opts.sizes {
        results.push(one_size(n, opts, &specbook, &xtask, mdbook.as_deref())?);
        // Write what we have after each size, so a long run can be read while it goes on.
        let text = report(&results, &machine(), &mdbook_note);
        std::fs::write(&opts.report, &text)
            .map_err(|e| format!("cannot write {}: {e}", opts.report.display()))?;
    }
    let text = report(&results, &machine(), &mdbook_note);
    print!("{text}");
    eprintln!("report written to {}", opts.report.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(n: usize, rows: &[(&'static str, f64)], kib: u64, gzip: u64) -> SizeResult {
        SizeResult {
            n,
            runs: 1,
            counts: ChangeCounts::default(),
            rows: rows
                .iter()
                .map(|&(name, secs)| {
                    (
                        name,
                        Samples {
                            secs: vec![secs],
                            kib: vec![kib],
                        },
                    )
                })
                .collect(),
            index: (0, gzip, Vec::new()),
            output: (0, 0),
            source_bytes: 0,
            outputs: Outputs::PerRun,
        }
    }

    #[test]
    fn targets_are_judged_and_a_miss_is_named() {
        let small = size(
            1_000,
            &[("check", 0.01), ("build", 0.05), ("diff", 0.02)],
            10_000,
            10,
        );
        let large = size(
            10_000,
            &[
                ("parse floor", 0.030),
                ("check", 0.080),
                ("write floor", 0.250),
                ("build", 0.750),
                ("parse floor (both)", 0.050),
                ("diff", 0.140),
                ("mdbook", 9.0),
            ],
            160 * 1024,
            169_084,
        );
        let text = targets(&[small, large]);
        assert!(
            text.contains("| 10k: `check` ≤ 3× the parse floor | 2.67× | yes |"),
            "{text}"
        );
        assert!(
            text.contains("| 10k: `build` ≤ 2× the write floor | 3.00× | **no** |"),
            "{text}"
        );
        assert!(
            text.contains("| 10k: `diff` ≤ 3× the parse floor of both | 2.80× | yes |"),
            "{text}"
        );
        assert!(
            text.contains("| 10k: `build` ≥ 10× faster than mdBook | 12.0× | yes |"),
            "{text}"
        );
        assert!(
            text.contains("| 10k: `build` peak memory ≤ 150 MB | 160 MB | **no** |"),
            "{text}"
        );
        assert!(
            text.contains("| 10k: search index ≤ 1 MB gzip | 169084 bytes | yes |"),
            "{text}"
        );
        assert!(
            text.contains("| growth of `build` from 1000 to 10000 ≤ 12× | 15.0× | **no** |"),
            "{text}"
        );
        assert!(
            text.contains("| growth of `check` from 1000 to 10000 ≤ 12× | 8.0× | yes |"),
            "{text}"
        );
        assert!(text.contains("6 of 9 targets met."), "{text}");
    }

    #[test]
    fn no_targets_without_the_sizes_they_name() {
        let small = size(1_000, &[("check", 0.01), ("parse floor", 0.004)], 1, 1);
        assert_eq!(targets(&[small]), "");
    }
}
