//! `xtask`: developer tasks for specbook — `gen-spec` (synthetic specs for benchmarks),
//! `parse-floor` (the parse floor the benchmark compares against) and `bench` (the benchmark
//! runner behind BENCHMARKS.md). Run with `cargo run --release -p xtask -- <task>`.

mod bench;
mod floor;
mod generate;
mod rng;
mod stages;
mod words;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo run --release -p xtask -- <task> [options]

tasks:
  gen-spec --requirements N [--seed S] --out DIR [--changed DIR2] [--mdbook DIR3]
      Write a synthetic spec of N requirements into DIR (and a version with ~5% of them
      changed into DIR2, and an mdBook of DIR's chapters into DIR3). Deterministic from S.
  parse-floor DIR [DIR...]
      Read every *.md of each DIR and parse it once with pulldown-cmark into events and HTML.
  stages DIR [--changed DIR2] [--out DIR3] [--runs 5]
      Wall time of each library stage of check, build (writing into DIR3) and diff DIR DIR2.
  bench [--sizes 1000,10000,100000] [--runs 9] [--runs-large 5] [--seed 1]
        [--work target/bench] [--report target/bench/results.md]
        [--no-build] [--no-mdbook] [--mdbook-max N] [--keep]
      Generate, time and report (see BENCHMARKS.md).
";

/// A minimal `--key value` parser.
struct Args {
    rest: Vec<String>,
}

impl Args {
    fn flag(&mut self, name: &str) -> bool {
        match self.rest.iter().position(|a| a == name) {
            Some(i) => {
                self.rest.remove(i);
                true
            }
            None => false,
        }
    }

    fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        match self.rest.iter().position(|a| a == name) {
            Some(i) if i + 1 < self.rest.len() => {
                let v = self.rest.remove(i + 1);
                self.rest.remove(i);
                Ok(Some(v))
            }
            Some(_) => Err(format!("{name} needs a value")),
            None => Ok(None),
        }
    }

    fn number<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Result<T, String> {
        match self.value(name)? {
            Some(v) => v
                .replace('_', "")
                .parse()
                .map_err(|_| format!("{name}: not a number: {v}")),
            None => Ok(default),
        }
    }

    fn done(self) -> Result<Vec<String>, String> {
        if let Some(a) = self.rest.iter().find(|a| a.starts_with("--")) {
            return Err(format!("unknown option {a}"));
        }
        Ok(self.rest)
    }
}

fn run(task: &str, mut args: Args) -> Result<(), String> {
    match task {
        "gen-spec" => {
            let requirements = args.number("--requirements", 0usize)?;
            let seed = args.number("--seed", 1u64)?;
            let out = args.value("--out")?.ok_or("--out is required")?;
            let changed = args.value("--changed")?.map(PathBuf::from);
            let mdbook = args.value("--mdbook")?.map(PathBuf::from);
            let extra = args.done()?;
            if !extra.is_empty() {
                return Err(format!("unexpected arguments: {}", extra.join(" ")));
            }
            let counts = generate::run(&generate::GenOptions {
                requirements,
                seed,
                out: PathBuf::from(&out),
                changed: changed.clone(),
                mdbook,
            })?;
            eprintln!("wrote {requirements} requirements to {out}");
            if let (Some(c), Some(dir)) = (counts, changed) {
                eprintln!(
                    "wrote the changed version to {}: {}",
                    dir.display(),
                    c.describe()
                );
            }
            Ok(())
        }
        "parse-floor" => {
            let dirs: Vec<PathBuf> = args.done()?.into_iter().map(PathBuf::from).collect();
            if dirs.is_empty() {
                return Err("parse-floor needs at least one folder".into());
            }
            let t = floor::run(&dirs)?;
            println!(
                "{} files, {} bytes, {} events, {} bytes of HTML",
                t.files, t.bytes, t.events, t.html_bytes
            );
            Ok(())
        }
        "bench" => {
            let root = bench::root();
            let sizes = match args.value("--sizes")? {
                Some(s) => s
                    .split(',')
                    .map(|n| {
                        let n = n.trim().to_lowercase().replace('_', "");
                        match n.strip_suffix('k') {
                            Some(k) => k.parse::<usize>().map(|k| k * 1000),
                            None => n.parse(),
                        }
                        .map_err(|_| format!("--sizes: not a number: {n}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                None => vec![1_000, 10_000, 100_000],
            };
            let work = args
                .value("--work")?
                .map_or_else(|| root.join("target/bench"), PathBuf::from);
            let opts = bench::BenchOptions {
                sizes,
                runs: args.number("--runs", 9)?,
                runs_large: args.number("--runs-large", 5)?,
                seed: args.number("--seed", 1)?,
                report: args
                    .value("--report")?
                    .map_or_else(|| work.join("results.md"), PathBuf::from),
                work,
                build: !args.flag("--no-build"),
                mdbook: !args.flag("--no-mdbook"),
                mdbook_max: args.number("--mdbook-max", usize::MAX)?,
                keep: args.flag("--keep"),
            };
            let extra = args.done()?;
            if !extra.is_empty() {
                return Err(format!("unexpected arguments: {}", extra.join(" ")));
            }
            if opts.runs == 0 || opts.runs_large == 0 {
                return Err("--runs and --runs-large must be at least 1".into());
            }
            bench::run(&opts)
        }
        "stages" => {
            let changed = args.value("--changed")?.map(PathBuf::from);
            let out = args.value("--out")?.map_or_else(
                || bench::root().join("target/bench/stages-out"),
                PathBuf::from,
            );
            let runs = args.number("--runs", 5)?;
            let rest = args.done()?;
            let [spec] = rest.as_slice() else {
                return Err("stages needs exactly one spec folder".into());
            };
            stages::run(&stages::StagesOptions {
                spec: PathBuf::from(spec),
                changed,
                out,
                runs,
            })
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task {other}\n\n{USAGE}")),
    }
}

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1);
    let Some(task) = argv.next() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    match run(
        &task,
        Args {
            rest: argv.collect(),
        },
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
